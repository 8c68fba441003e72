/**
 * SDP model (RFC 8866, formerly RFC 4566). Parsing produces this model; serializing writes it back.
 * Attributes that offer/answer understands are kept structured; every other line survives as-is.
 */

export type SdpDirection = "sendrecv" | "sendonly" | "recvonly" | "inactive";

/** RFC 8866 5.2 `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>` */
export interface SdpOrigin {
  readonly username: string;
  readonly sessionId: string;
  /** May exceed 2^53 (RingCentral sends 19-digit versions), hence bigint. */
  readonly sessionVersion: bigint;
  readonly netType: string;
  readonly addrType: string;
  readonly address: string;
}

/** RFC 8866 5.7 `c=<nettype> <addrtype> <connection-address>` */
export interface SdpConnection {
  readonly netType: string;
  readonly addrType: string;
  readonly address: string;
}

/** RFC 8866 5.8 `b=<bwtype>:<bandwidth>` */
export interface SdpBandwidth {
  readonly type: string;
  readonly kbps: number;
}

/** RFC 8866 5.9 `t=<start-time> <stop-time>` (NTP seconds kept as text). */
export interface SdpTiming {
  readonly start: string;
  readonly stop: string;
}

/** RFC 8866 6.6 `a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]` */
export interface SdpRtpMap {
  readonly payloadType: number;
  readonly encodingName: string;
  readonly clockRateHz: number;
  readonly channels?: number;
}

/** RFC 8866 6.15 `a=fmtp:<format> <format specific parameters>` */
export interface SdpFmtp {
  readonly payloadType: number;
  readonly parameters: string;
}

/** RFC 4568 9.1 `a=crypto:<tag> <crypto-suite> <key-params> [<session-params>]` */
export interface SdpCrypto {
  readonly tag: number;
  readonly suite: string;
  /** One or more `inline:<key||salt>[|lifetime][|MKI:length]`, joined by `;` on the wire. */
  readonly keyParams: readonly string[];
  readonly sessionParams: readonly string[];
}

/** RFC 3605 `a=rtcp:<port> [<nettype> <addrtype> <connection-address>]` */
export interface SdpRtcp {
  readonly port: number;
  readonly connection?: SdpConnection;
}

/** Any attribute offer/answer does not interpret (`a=name` or `a=name:value`). */
export interface SdpAttribute {
  readonly name: string;
  readonly value?: string;
}

/** A line of a type the model does not interpret (i, u, e, p, z, k, r), kept in order. */
export interface SdpOtherLine {
  readonly type: string;
  readonly value: string;
}

/** RFC 8866 5.14 `m=<media> <port>[/<number of ports>] <proto> <fmt> ...` and its attributes. */
export interface SdpMedia {
  readonly media: string;
  readonly port: number;
  readonly portCount?: number;
  readonly proto: string;
  readonly formats: readonly string[];
  readonly otherLines: readonly SdpOtherLine[];
  readonly connection?: SdpConnection;
  readonly bandwidths: readonly SdpBandwidth[];
  readonly rtpMaps: readonly SdpRtpMap[];
  readonly fmtps: readonly SdpFmtp[];
  readonly ptimeMs?: number;
  readonly maxPtimeMs?: number;
  readonly direction?: SdpDirection;
  readonly rtcp?: SdpRtcp;
  readonly rtcpMux: boolean;
  readonly cryptos: readonly SdpCrypto[];
  readonly attributes: readonly SdpAttribute[];
}

export interface SessionDescription {
  readonly origin: SdpOrigin;
  readonly sessionName: string;
  readonly otherLines: readonly SdpOtherLine[];
  readonly connection?: SdpConnection;
  readonly bandwidths: readonly SdpBandwidth[];
  readonly timings: readonly SdpTiming[];
  readonly direction?: SdpDirection;
  readonly attributes: readonly SdpAttribute[];
  readonly media: readonly SdpMedia[];
}

export type SdpParseResult =
  | { readonly ok: true; readonly sdp: SessionDescription }
  | { readonly ok: false; readonly error: string; readonly lineNumber?: number };

export const sdpDirections: readonly SdpDirection[] = ["sendrecv", "sendonly", "recvonly", "inactive"];

export function isSdpDirection(value: string): value is SdpDirection {
  return value === "sendrecv" || value === "sendonly" || value === "recvonly" || value === "inactive";
}

/** RFC 3551 table 4: static payload types audio offer/answer may see without an rtpmap. */
export const staticAudioPayloadTypes: Readonly<Record<number, SdpRtpMap>> = {
  0: { payloadType: 0, encodingName: "PCMU", clockRateHz: 8000 },
  3: { payloadType: 3, encodingName: "GSM", clockRateHz: 8000 },
  4: { payloadType: 4, encodingName: "G723", clockRateHz: 8000 },
  8: { payloadType: 8, encodingName: "PCMA", clockRateHz: 8000 },
  9: { payloadType: 9, encodingName: "G722", clockRateHz: 8000 },
  13: { payloadType: 13, encodingName: "CN", clockRateHz: 8000 },
  18: { payloadType: 18, encodingName: "G729", clockRateHz: 8000 },
};

/** The rtpmap for a payload type of a media section: its own a=rtpmap, else the RFC 3551 static one. */
export function rtpMapFor(media: SdpMedia, payloadType: number): SdpRtpMap | undefined {
  return media.rtpMaps.find((m) => m.payloadType === payloadType) ?? staticAudioPayloadTypes[payloadType];
}

export function fmtpFor(media: SdpMedia, payloadType: number): string | undefined {
  return media.fmtps.find((f) => f.payloadType === payloadType)?.parameters;
}
