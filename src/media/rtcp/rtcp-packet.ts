/**
 * RTCP packet model (RFC 3550 6.4-6.6): SR, RR, SDES, BYE and unknown types kept as opaque bodies.
 * A compound packet is `readonly RtcpPacket[]`.
 */

export const rtcpPacketType = {
  senderReport: 200,
  receiverReport: 201,
  sourceDescription: 202,
  bye: 203,
} as const;

/** RFC 3550 6.5: SDES item types. */
export const sdesItemType = {
  end: 0,
  cname: 1,
  name: 2,
  email: 3,
  phone: 4,
  loc: 5,
  tool: 6,
  note: 7,
  priv: 8,
} as const;

/** RFC 3550 6.4.1 report block. */
export interface RtcpReportBlock {
  readonly ssrc: number;
  /** 8-bit fixed point fraction (lost / expected * 256). */
  readonly fractionLost: number;
  /** Signed 24-bit cumulative number of packets lost. */
  readonly cumulativeLost: number;
  readonly extendedHighestSequence: number;
  /** Interarrival jitter in RTP timestamp units. */
  readonly jitter: number;
  /** LSR: middle 32 bits of the NTP timestamp of the last SR received, 0 if none. */
  readonly lastSenderReport: number;
  /** DLSR: delay since that SR in 1/65536 s. */
  readonly delaySinceLastSenderReport: number;
}

/** A 64-bit NTP timestamp as two unsigned 32-bit halves (RFC 3550 4). */
export interface NtpTimestamp {
  readonly seconds: number;
  readonly fraction: number;
}

export interface RtcpSenderReport {
  readonly kind: "sr";
  readonly ssrc: number;
  readonly ntpTimestamp: NtpTimestamp;
  readonly rtpTimestamp: number;
  readonly packetCount: number;
  readonly octetCount: number;
  readonly reports: readonly RtcpReportBlock[];
}

export interface RtcpReceiverReport {
  readonly kind: "rr";
  readonly ssrc: number;
  readonly reports: readonly RtcpReportBlock[];
}

export interface RtcpSdesItem {
  readonly type: number;
  /** UTF-8 text (RFC 3550 6.5). */
  readonly value: string;
}

export interface RtcpSdesChunk {
  readonly ssrc: number;
  readonly items: readonly RtcpSdesItem[];
}

export interface RtcpSourceDescription {
  readonly kind: "sdes";
  readonly chunks: readonly RtcpSdesChunk[];
}

export interface RtcpBye {
  readonly kind: "bye";
  readonly ssrcs: readonly number[];
  readonly reason?: string | undefined;
}

/** Any other packet type (APP, RTPFB, PSFB, XR...) passed through unchanged. */
export interface RtcpUnknown {
  readonly kind: "unknown";
  readonly packetType: number;
  /** The 5-bit count/format field of the header. */
  readonly count: number;
  /** Everything after the 4-byte header (without padding). */
  readonly body: Uint8Array;
}

export type RtcpPacket =
  | RtcpSenderReport
  | RtcpReceiverReport
  | RtcpSourceDescription
  | RtcpBye
  | RtcpUnknown;

export type RtcpParseError =
  | "truncated"
  | "wrong-version"
  | "length-mismatch"
  | "first-not-report"
  | "padding-not-last"
  | "bad-padding"
  | "bad-report-count"
  | "bad-sdes"
  | "bad-bye";

export type RtcpParseResult =
  | { readonly ok: true; readonly packets: readonly RtcpPacket[] }
  | { readonly ok: false; readonly error: RtcpParseError };

/** The CNAME of an SDES chunk, if present. */
export function sdesCname(chunk: RtcpSdesChunk): string | undefined {
  return chunk.items.find((i) => i.type === sdesItemType.cname)?.value;
}
