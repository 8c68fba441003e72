/** Helpers shared by answering an offer and reading an answer: codec match, transport, addresses. */
import {
  type CodecSpec,
  isSupportedSuite,
  parseCodecSpec,
  type SrtpPolicy,
  type SrtpSuiteName,
} from "./sdp-negotiation-types.js";
import {
  fmtpFor,
  rtpMapFor,
  type SdpCrypto,
  type SdpDirection,
  type SdpMedia,
  type SessionDescription,
} from "./sdp-types.js";

export interface MatchedCodec {
  readonly spec: CodecSpec;
  readonly payloadType: number;
  readonly encodingName: string;
  readonly fmtp?: string;
}

export function payloadTypesOf(m: SdpMedia): number[] {
  const out: number[] = [];
  for (const f of m.formats) {
    const pt = Number(f);
    if (Number.isInteger(pt) && pt >= 0 && pt <= 127 && f.length > 0) out.push(pt);
  }
  return out;
}

function sameCodec(
  spec: CodecSpec,
  name: string,
  clockRateHz: number,
  channels: number | undefined,
): boolean {
  return (
    spec.name.toLowerCase() === name.toLowerCase() &&
    spec.clockRateHz === clockRateHz &&
    spec.channels === (channels ?? 1)
  );
}

/** RFC 3264 6.1: the answerer picks from the offer; here OUR preference order decides which. */
export function firstCommonCodec(m: SdpMedia, preference: readonly string[]): MatchedCodec | undefined {
  const offered = payloadTypesOf(m);
  for (const text of preference) {
    const spec = parseCodecSpec(text);
    if (!spec) continue;
    for (const pt of offered) {
      const map = rtpMapFor(m, pt);
      if (map && sameCodec(spec, map.encodingName, map.clockRateHz, map.channels)) {
        const fmtp = fmtpFor(m, pt);
        return {
          spec,
          payloadType: pt,
          encodingName: map.encodingName,
          ...(fmtp !== undefined ? { fmtp } : {}),
        };
      }
    }
  }
  return undefined;
}

/** The answer's own order decides (RFC 3264 6.1: the first format in the answer is the one to send). */
export function firstAnsweredCodec(m: SdpMedia, preference: readonly string[]): MatchedCodec | undefined {
  const specs = preference.map(parseCodecSpec).filter((s): s is CodecSpec => s !== undefined);
  for (const pt of payloadTypesOf(m)) {
    const map = rtpMapFor(m, pt);
    if (!map) continue;
    const spec = specs.find((s) => sameCodec(s, map.encodingName, map.clockRateHz, map.channels));
    if (spec) {
      const fmtp = fmtpFor(m, pt);
      return {
        spec,
        payloadType: pt,
        encodingName: map.encodingName,
        ...(fmtp !== undefined ? { fmtp } : {}),
      };
    }
  }
  return undefined;
}

export interface MatchedTelephoneEvent {
  readonly payloadType: number;
  readonly clockRateHz: number;
}

/**
 * RFC 4733 2.1: telephone-event's "default clock frequency is 8000 Hz, but the clock frequency can be
 * redefined when assigning the dynamic payload type"; events in the audio's RTP stream should use the
 * audio clock where possible. So: the entry at the codec's clock rate when offered, else the first one.
 */
export function matchTelephoneEvent(
  m: SdpMedia,
  codecClockRateHz: number,
): MatchedTelephoneEvent | undefined {
  let fallback: MatchedTelephoneEvent | undefined;
  for (const pt of payloadTypesOf(m)) {
    const map = rtpMapFor(m, pt);
    if (map?.encodingName.toLowerCase() !== "telephone-event") continue;
    if (!Number.isInteger(map.clockRateHz) || map.clockRateHz <= 0) continue;
    const match = { payloadType: pt, clockRateHz: map.clockRateHz };
    if (map.clockRateHz === codecClockRateHz) return match;
    fallback ??= match;
  }
  return fallback;
}

/** RFC 3389 5: CN runs at the speech codec's clock rate; the payload type offered at that rate, if any. */
export function matchComfortNoise(m: SdpMedia, codecClockRateHz: number): number | undefined {
  for (const pt of payloadTypesOf(m)) {
    const map = rtpMapFor(m, pt);
    if (map?.encodingName.toLowerCase() === "cn" && map.clockRateHz === codecClockRateHz) return pt;
  }
  return undefined;
}

export type TransportDecision =
  | { readonly ok: true; readonly crypto?: SdpCrypto & { readonly suite: SrtpSuiteName } }
  | { readonly ok: false; readonly warningCode: 302 | 305; readonly reason: string };

/** Decides RTP/AVP vs RTP/SAVP (SDES) for an offered m= line under our SRTP policy. */
export function decideTransport(
  m: SdpMedia,
  policy: SrtpPolicy,
  suites: readonly SrtpSuiteName[],
): TransportDecision {
  const proto = m.proto.toUpperCase();
  if (proto.startsWith("UDP/TLS/")) return { ok: false, warningCode: 302, reason: "DTLS-SRTP not supported" };
  const secure = proto === "RTP/SAVP" || proto === "RTP/SAVPF";
  const plain = proto === "RTP/AVP" || proto === "RTP/AVPF";
  if (!secure && !plain) return { ok: false, warningCode: 302, reason: "unsupported transport protocol" };
  if (secure && policy === "off") return { ok: false, warningCode: 302, reason: "SRTP offered but disabled" };
  const crypto = policy === "off" ? undefined : firstSupportedCrypto(m.cryptos, suites);
  if (secure && !crypto) return { ok: false, warningCode: 305, reason: "no supported SRTP crypto suite" };
  if (plain && policy === "mandatory" && !crypto) {
    return { ok: false, warningCode: 302, reason: "SRTP required but not offered" };
  }
  // RFC 4568 does not define SDES under RTP/AVP, but "best effort" peers (baresip srtp mode) offer it.
  return crypto ? { ok: true, crypto } : { ok: true };
}

function firstSupportedCrypto(
  cryptos: readonly SdpCrypto[],
  suites: readonly SrtpSuiteName[],
): (SdpCrypto & { suite: SrtpSuiteName }) | undefined {
  for (const c of cryptos) {
    const suite = c.suite;
    if (isSupportedSuite(suite, suites) && c.keyParams[0]?.startsWith("inline:")) return { ...c, suite };
  }
  return undefined;
}

/** The remote's direction for a media section (media-level wins, RFC 8866 6.7), with RFC 2543 hold. */
export function remoteDirection(sdp: SessionDescription, m: SdpMedia): SdpDirection {
  const direction = m.direction ?? sdp.direction ?? "sendrecv";
  const address = (m.connection ?? sdp.connection)?.address;
  // RFC 3264 8.4: c=0.0.0.0 is the old way to hold; the remote will not receive.
  if (address === "0.0.0.0") {
    if (direction === "sendrecv") return "sendonly";
    if (direction === "recvonly") return "inactive";
  }
  return direction;
}

export function remoteEndpoints(
  sdp: SessionDescription,
  m: SdpMedia,
  rtcpMux: boolean,
): { rtp: { address: string; port: number }; rtcp?: { address: string; port: number } } | undefined {
  const address = (m.connection ?? sdp.connection)?.address;
  if (!address) return undefined;
  const rtp = { address, port: m.port };
  if (rtcpMux) return { rtp };
  // RFC 3605 2.1: a=rtcp gives the port (and optionally address); otherwise RTP port + 1 (RFC 3550 11).
  const rtcp = m.rtcp
    ? { address: m.rtcp.connection?.address ?? address, port: m.rtcp.port }
    : { address, port: m.port + 1 };
  return { rtp, rtcp };
}
