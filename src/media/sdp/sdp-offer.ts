/** RFC 3264 5 and 7: create our offer (outbound or late-offer INVITE), read the answer, hold/unhold. */
import {
  firstAnsweredCodec,
  matchComfortNoise,
  matchTelephoneEvent,
  payloadTypesOf,
  remoteDirection,
  remoteEndpoints,
} from "./sdp-media-match.js";
import {
  answerDirection,
  isSupportedSuite,
  type MediaCapabilities,
  type NegotiatedMedia,
  parseCodecSpec,
  type SdpRejection,
} from "./sdp-negotiation-types.js";
import { serializeSdp } from "./sdp-serialize.js";
import type {
  SdpCrypto,
  SdpDirection,
  SdpFmtp,
  SdpMedia,
  SdpOrigin,
  SdpRtpMap,
  SessionDescription,
} from "./sdp-types.js";

/** RFC 3551 table 4 static payload types we can offer without a dynamic number. */
const staticPayloadTypes: Readonly<Record<string, number>> = {
  "pcmu/8000": 0,
  "pcma/8000": 8,
  "g722/8000": 9,
};
const telephoneEventPt = 101;

export interface CreateOfferInput {
  readonly capabilities: MediaCapabilities;
  readonly origin: SdpOrigin;
  readonly direction?: SdpDirection;
}

export function createOffer(input: CreateOfferInput): SessionDescription {
  const caps = input.capabilities;
  const formats: string[] = [];
  const rtpMaps: SdpRtpMap[] = [];
  const fmtps: SdpFmtp[] = [];
  let nextDynamic = 96;
  for (const text of caps.codecs) {
    const spec = parseCodecSpec(text);
    if (!spec) continue;
    let pt = staticPayloadTypes[`${spec.name.toLowerCase()}/${spec.clockRateHz}`];
    if (pt === undefined) {
      if (nextDynamic === telephoneEventPt) nextDynamic++;
      pt = nextDynamic++;
    }
    if (pt > 127 || formats.includes(String(pt))) continue;
    formats.push(String(pt));
    rtpMaps.push({
      payloadType: pt,
      encodingName: spec.name,
      clockRateHz: spec.clockRateHz,
      ...(spec.channels > 1 ? { channels: spec.channels } : {}),
    });
    // RFC 7587 6.1: useinbandfec=1 says we can decode Opus in-band FEC.
    if (spec.name.toLowerCase() === "opus") fmtps.push({ payloadType: pt, parameters: "useinbandfec=1" });
  }
  if (caps.telephoneEvent) {
    // RFC 4733 2.1: events should run at the audio clock where possible, so besides the usual
    // telephone-event/8000 (PT 101) we offer one at each other codec clock (opus: 48000), as browsers do.
    const rates = [8000, ...new Set(rtpMaps.map((r) => r.clockRateHz).filter((hz) => hz !== 8000))];
    for (const clockRateHz of rates) {
      let pt = telephoneEventPt;
      if (clockRateHz !== 8000) {
        if (nextDynamic === telephoneEventPt) nextDynamic++;
        pt = nextDynamic++;
      }
      if (pt > 127) continue;
      formats.push(String(pt));
      rtpMaps.push({ payloadType: pt, encodingName: "telephone-event", clockRateHz });
      fmtps.push({ payloadType: pt, parameters: "0-15" });
    }
  }
  const cryptos: SdpCrypto[] =
    caps.srtpPolicy === "off"
      ? []
      : caps.cryptoSuites.map((suite, i) => ({
          tag: i + 1,
          suite,
          keyParams: [caps.generateKeyParams(suite)],
          sessionParams: [],
        }));
  const media: SdpMedia = {
    media: "audio",
    port: caps.port,
    // "optional" offers SDES under RTP/AVP (best effort, as baresip does) so plain peers still accept.
    proto: caps.srtpPolicy === "mandatory" ? "RTP/SAVP" : "RTP/AVP",
    formats,
    otherLines: [],
    bandwidths: [],
    rtpMaps,
    fmtps,
    ptimeMs: caps.ptimeMs,
    direction: input.direction ?? "sendrecv",
    rtcpMux: caps.rtcpMux,
    cryptos,
    attributes: [],
  };
  return {
    origin: input.origin,
    sessionName: caps.sessionName ?? "-",
    otherLines: [],
    connection: { netType: "IN", addrType: input.origin.addrType, address: caps.address },
    bandwidths: [],
    timings: [{ start: "0", stop: "0" }],
    attributes: [],
    media: [media],
  };
}

export type ProcessAnswerResult = { readonly ok: true; readonly negotiated: NegotiatedMedia } | SdpRejection;

/** RFC 3264 7: "When the offerer receives the answer, it MAY send media on the accepted stream(s)". */
export function processAnswer(
  ourOffer: SessionDescription,
  answer: SessionDescription,
  capabilities: Pick<MediaCapabilities, "codecs" | "cryptoSuites" | "rtcpMux" | "telephoneEvent">,
): ProcessAnswerResult {
  const index = ourOffer.media.findIndex((m) => m.media === "audio" && m.port !== 0);
  const offered = ourOffer.media[index];
  // RFC 3264 6: "The answer MUST contain exactly the same number of "m=" lines as the offer."
  if (!offered || answer.media.length !== ourOffer.media.length) {
    return { ok: false, warningCode: 399, reason: "answer does not match the offer's m= lines" };
  }
  const m = answer.media[index];
  if (!m || m.port === 0) return { ok: false, warningCode: 304, reason: "audio rejected by the answer" };
  const offeredPts = new Set(payloadTypesOf(offered));
  const codec = firstAnsweredCodec(m, capabilities.codecs);
  if (!codec || !offeredPts.has(codec.payloadType)) {
    return { ok: false, warningCode: 305, reason: "no common codec" };
  }
  let srtp: NegotiatedMedia["srtp"];
  if (offered.cryptos.length > 0) {
    const remote = m.cryptos[0];
    const ours = remote
      ? offered.cryptos.find((c) => c.tag === remote.tag && c.suite === remote.suite)
      : undefined;
    const remoteKey = remote?.keyParams[0];
    if (remote && ours && remoteKey && isSupportedSuite(remote.suite, capabilities.cryptoSuites)) {
      srtp = {
        suite: remote.suite,
        tag: remote.tag,
        remoteKeyParams: remoteKey,
        localKeyParams: ours.keyParams[0] ?? "",
      };
    } else if (remote || offered.proto.toUpperCase().includes("SAVP")) {
      return { ok: false, warningCode: 305, reason: "answer crypto does not match the offer" };
    }
  }
  const rtcpMux = m.rtcpMux && offered.rtcpMux && capabilities.rtcpMux;
  const remote = remoteEndpoints(answer, m, rtcpMux);
  if (!remote) return { ok: false, warningCode: 399, reason: "no connection address" };
  const answeredTe = capabilities.telephoneEvent ? matchTelephoneEvent(m, codec.spec.clockRateHz) : undefined;
  // RFC 3264 6.1: the answer may only use formats from the offer.
  const te = answeredTe !== undefined && offeredPts.has(answeredTe.payloadType) ? answeredTe : undefined;
  const answeredCn = matchComfortNoise(m, codec.spec.clockRateHz);
  const cnPt = answeredCn !== undefined && offeredPts.has(answeredCn) ? answeredCn : undefined;
  const direction = answerDirection(remoteDirection(answer, m), offered.direction ?? "sendrecv");
  return {
    ok: true,
    negotiated: {
      mediaIndex: index,
      codec: {
        name: codec.encodingName,
        clockRateHz: codec.spec.clockRateHz,
        channels: codec.spec.channels,
        payloadType: codec.payloadType,
        ...(codec.fmtp !== undefined ? { fmtp: codec.fmtp } : {}),
      },
      ...(te !== undefined
        ? { telephoneEventPayloadType: te.payloadType, telephoneEventClockRateHz: te.clockRateHz }
        : {}),
      ...(cnPt !== undefined ? { comfortNoisePayloadType: cnPt } : {}),
      remoteRtp: remote.rtp,
      ...(remote.rtcp ? { remoteRtcp: remote.rtcp } : {}),
      rtcpMux,
      direction,
      ...(srtp ? { srtp } : {}),
      ptimeMs: m.ptimeMs ?? 20,
    },
  };
}

/**
 * A hold (sendonly / inactive) or unhold (sendrecv) re-offer from our previous local description: same
 * codecs, port and keys, new direction on every active stream, o= version + 1 (RFC 3264 8.4, 8).
 */
export function withDirection(previous: SessionDescription, direction: SdpDirection): SessionDescription {
  const candidate: SessionDescription = {
    ...previous,
    media: previous.media.map((m) => (m.port === 0 ? m : { ...m, direction })),
  };
  return nextLocalDescription(previous, candidate);
}

/**
 * RFC 3264 8: "the version number in the o= line MUST be ... incremented by one from the previous SDP"
 * when anything changed, and unchanged when the description is the same. Keeps username and session id.
 */
export function nextLocalDescription(
  previous: SessionDescription | undefined,
  candidate: SessionDescription,
): SessionDescription {
  if (!previous) return candidate;
  const same = { ...candidate, origin: previous.origin };
  if (serializeSdp(same) === serializeSdp(previous)) return same;
  return {
    ...candidate,
    origin: { ...previous.origin, sessionVersion: previous.origin.sessionVersion + 1n },
  };
}
