/** Inputs and outputs of RFC 3264 offer/answer for one audio stream. */
import type { SdpDirection, SdpOrigin } from "./sdp-types.js";

export type SrtpPolicy = "off" | "optional" | "mandatory";

/** SDES suites (RFC 4568 6.2) this engine can run. */
export type SrtpSuiteName = "AES_CM_128_HMAC_SHA1_80" | "AES_CM_128_HMAC_SHA1_32";

export const supportedSrtpSuites: readonly SrtpSuiteName[] = [
  "AES_CM_128_HMAC_SHA1_80",
  "AES_CM_128_HMAC_SHA1_32",
];

/**
 * Makes OUR fresh key parameter for one suite, e.g. `inline:<base64 of 30 random bytes>`. Injected so that
 * offer/answer stays pure; the SRTP module provides the real generator.
 */
export type SrtpKeyParamsGenerator = (suite: SrtpSuiteName) => string;

/** A codec named as in config: `<name>/<clockRateHz>[/<channels>]`, e.g. "opus/48000/2", "PCMU/8000". */
export interface CodecSpec {
  readonly name: string;
  readonly clockRateHz: number;
  readonly channels: number;
}

export interface MediaCapabilities {
  /** Preference order, e.g. ["opus/48000/2", "G722/8000", "PCMU/8000", "PCMA/8000"]. */
  readonly codecs: readonly string[];
  readonly telephoneEvent: boolean;
  readonly cryptoSuites: readonly SrtpSuiteName[];
  readonly srtpPolicy: SrtpPolicy;
  /** Our RTP address as written in c= (the address the media socket is reachable at). */
  readonly address: string;
  /** Our bound RTP port (the same one the socket listens on). */
  readonly port: number;
  readonly ptimeMs: number;
  readonly rtcpMux: boolean;
  readonly generateKeyParams: SrtpKeyParamsGenerator;
  /** s= value; "-" when absent. */
  readonly sessionName?: string;
}

/** What both sides agreed on for one audio stream: everything the media session needs to start. */
export interface NegotiatedMedia {
  /** Index of the m= line in the offer/answer. */
  readonly mediaIndex: number;
  readonly codec: {
    readonly name: string;
    readonly clockRateHz: number;
    readonly channels: number;
    readonly payloadType: number;
    readonly fmtp?: string;
  };
  readonly telephoneEventPayloadType?: number;
  /**
   * RTP clock of that telephone-event payload type (its a=rtpmap rate): the unit of RFC 4733 event
   * durations. Set together with telephoneEventPayloadType by answerOffer/processAnswer; may differ
   * from the codec's clock (RingCentral offers OPUS/48000/2 with telephone-event/8000 only).
   */
  readonly telephoneEventClockRateHz?: number;
  /**
   * RFC 3389 comfort noise at the codec's RTP clock (usually the static PT 13, CN/8000), when the
   * offer and the answer both list it: such packets mean "silence, with background noise at level L".
   */
  readonly comfortNoisePayloadType?: number;
  readonly remoteRtp: { readonly address: string; readonly port: number };
  /** Absent when RTCP is multiplexed on the RTP port. */
  readonly remoteRtcp?: { readonly address: string; readonly port: number };
  readonly rtcpMux: boolean;
  /** OUR direction: may we send, may we receive. */
  readonly direction: SdpDirection;
  readonly srtp?: {
    readonly suite: SrtpSuiteName;
    readonly tag: number;
    readonly remoteKeyParams: string;
    readonly localKeyParams: string;
  };
  /** The remote's ptime (what it sends), default 20. */
  readonly ptimeMs: number;
}

/**
 * Why an offer or answer cannot be used, for `488 Not Acceptable Here` with
 * `Warning: <code> <host> "<reason>"` (RFC 3261 20.43: 302 incompatible transport protocol,
 * 304 media type not available, 305 incompatible media format).
 */
export interface SdpRejection {
  readonly ok: false;
  readonly warningCode: 302 | 304 | 305 | 399;
  readonly reason: string;
}

export interface LocalSdpIdentity {
  /** o= of our previous local description in this dialog, or a fresh one (see createLocalOrigin). */
  readonly origin: SdpOrigin;
}

export function parseCodecSpec(text: string): CodecSpec | undefined {
  const parts = text.split("/");
  const name = parts[0];
  const clockRateHz = Number(parts[1]);
  const channels = parts[2] === undefined ? 1 : Number(parts[2]);
  if (!name || parts.length > 3 || !Number.isInteger(clockRateHz) || clockRateHz <= 0) return undefined;
  if (!Number.isInteger(channels) || channels < 1) return undefined;
  return { name, clockRateHz, channels };
}

export function isSupportedSuite(suite: string, ours: readonly SrtpSuiteName[]): suite is SrtpSuiteName {
  return ours.some((s) => s === suite);
}

/** RFC 3264 6.1: "If a stream is offered as sendonly, the corresponding stream MUST be marked as recvonly
 * or inactive in the answer..." — the answer mirrors the offer, limited by what we want. */
export function answerDirection(offered: SdpDirection, wanted: SdpDirection): SdpDirection {
  const remoteSends = offered === "sendrecv" || offered === "sendonly";
  const remoteReceives = offered === "sendrecv" || offered === "recvonly";
  const weSend = remoteReceives && (wanted === "sendrecv" || wanted === "sendonly");
  const weReceive = remoteSends && (wanted === "sendrecv" || wanted === "recvonly");
  if (weSend && weReceive) return "sendrecv";
  if (weSend) return "sendonly";
  if (weReceive) return "recvonly";
  return "inactive";
}

/** A fresh o= for a new dialog (RFC 8866 5.2: session id and version are numeric; NTP time is suggested). */
export function createLocalOrigin(sessionId: string, address: string): SdpOrigin {
  return {
    username: "-",
    sessionId,
    sessionVersion: 1n,
    netType: "IN",
    addrType: address.includes(":") ? "IP6" : "IP4",
    address,
  };
}
