/**
 * Parses compound RTCP packets with the validity checks of RFC 3550 A.2. Never throws.
 */
import {
  type RtcpPacket,
  type RtcpParseError,
  type RtcpParseResult,
  type RtcpReportBlock,
  type RtcpSdesChunk,
  type RtcpSdesItem,
  rtcpPacketType,
} from "./rtcp-packet.js";

const reportBlockBytes = 24;
const utf8 = new TextDecoder("utf-8", { fatal: false });

function fail(error: RtcpParseError): RtcpParseResult {
  return { ok: false, error };
}

function u32(b: Uint8Array, at: number): number {
  return (
    ((b[at] ?? 0) * 0x100_0000 + (((b[at + 1] ?? 0) << 16) | ((b[at + 2] ?? 0) << 8) | (b[at + 3] ?? 0))) >>>
    0
  );
}

function reportBlocks(b: Uint8Array, at: number, count: number): RtcpReportBlock[] {
  const out: RtcpReportBlock[] = [];
  for (let i = 0; i < count; i++) {
    const o = at + i * reportBlockBytes;
    const lost24 = ((b[o + 5] ?? 0) << 16) | ((b[o + 6] ?? 0) << 8) | (b[o + 7] ?? 0);
    out.push({
      ssrc: u32(b, o),
      fractionLost: b[o + 4] ?? 0,
      cumulativeLost: lost24 & 0x80_0000 ? lost24 - 0x100_0000 : lost24,
      extendedHighestSequence: u32(b, o + 8),
      jitter: u32(b, o + 12),
      lastSenderReport: u32(b, o + 16),
      delaySinceLastSenderReport: u32(b, o + 20),
    });
  }
  return out;
}

function parseSdes(body: Uint8Array, count: number): RtcpSdesChunk[] | undefined {
  const chunks: RtcpSdesChunk[] = [];
  let o = 0;
  for (let c = 0; c < count; c++) {
    if (o + 4 > body.length) return undefined;
    const ssrc = u32(body, o);
    o += 4;
    const items: RtcpSdesItem[] = [];
    // RFC 3550 6.5: "The list of items in each chunk MUST be terminated by one or more null octets,
    // ... followed by null octets to the next 32-bit boundary."
    for (;;) {
      if (o >= body.length) return undefined;
      const type = body[o] ?? 0;
      if (type === 0) {
        o = (o + 4) & ~3;
        break;
      }
      if (o + 2 > body.length) return undefined;
      const length = body[o + 1] ?? 0;
      if (o + 2 + length > body.length) return undefined;
      items.push({ type, value: utf8.decode(body.subarray(o + 2, o + 2 + length)) });
      o += 2 + length;
    }
    chunks.push({ ssrc, items });
  }
  return chunks;
}

function parseOne(packetType: number, count: number, body: Uint8Array): RtcpPacket | RtcpParseError {
  switch (packetType) {
    case rtcpPacketType.senderReport: {
      if (body.length < 24 + count * reportBlockBytes) return "bad-report-count";
      return {
        kind: "sr",
        ssrc: u32(body, 0),
        ntpTimestamp: { seconds: u32(body, 4), fraction: u32(body, 8) },
        rtpTimestamp: u32(body, 12),
        packetCount: u32(body, 16),
        octetCount: u32(body, 20),
        reports: reportBlocks(body, 24, count),
      };
    }
    case rtcpPacketType.receiverReport: {
      if (body.length < 4 + count * reportBlockBytes) return "bad-report-count";
      return { kind: "rr", ssrc: u32(body, 0), reports: reportBlocks(body, 4, count) };
    }
    case rtcpPacketType.sourceDescription: {
      const chunks = parseSdes(body, count);
      return chunks === undefined ? "bad-sdes" : { kind: "sdes", chunks };
    }
    case rtcpPacketType.bye: {
      if (body.length < count * 4) return "bad-bye";
      const ssrcs: number[] = [];
      for (let i = 0; i < count; i++) ssrcs.push(u32(body, i * 4));
      const at = count * 4;
      if (at < body.length) {
        const length = body[at] ?? 0;
        if (at + 1 + length > body.length) return "bad-bye";
        return { kind: "bye", ssrcs, reason: utf8.decode(body.subarray(at + 1, at + 1 + length)) };
      }
      return { kind: "bye", ssrcs };
    }
    default:
      return { kind: "unknown", packetType, count, body };
  }
}

export interface RtcpParseOptions {
  /** Accept RFC 5506 reduced-size RTCP (first packet need not be SR/RR). */
  readonly reducedSize?: boolean;
}

/**
 * Parses a compound RTCP packet. RFC 3550 A.2 checks: version 2 in every packet, the first packet
 * is SR or RR, padding only in the last packet, and the lengths add up to the datagram.
 * Body views (unknown types) alias the input.
 */
export function parseRtcpCompound(buf: Uint8Array, options: RtcpParseOptions = {}): RtcpParseResult {
  if (buf.length < 4) return fail("truncated");
  if (buf.length % 4 !== 0) return fail("length-mismatch");
  const packets: RtcpPacket[] = [];
  let o = 0;
  while (o < buf.length) {
    if (o + 4 > buf.length) return fail("truncated");
    const b0 = buf[o] ?? 0;
    const packetType = buf[o + 1] ?? 0;
    if (b0 >>> 6 !== 2) return fail("wrong-version");
    const end = o + 4 + (((buf[o + 2] ?? 0) << 8) | (buf[o + 3] ?? 0)) * 4;
    if (end > buf.length) return fail("length-mismatch");
    // RFC 3550 A.2: "the padding bit (P) should be zero for the first packet of a compound RTCP packet
    // because padding should only be applied, if it is needed, to the last packet."
    let bodyEnd = end;
    if ((b0 & 0x20) !== 0) {
      if (end !== buf.length) return fail("padding-not-last");
      const pad = buf[end - 1] ?? 0;
      if (pad === 0 || pad > end - o - 4) return fail("bad-padding");
      bodyEnd = end - pad;
    }
    // RFC 3550 A.2: "the payload type field of the first RTCP packet in a compound packet must be
    // equal to SR or RR."
    if (
      options.reducedSize !== true &&
      packets.length === 0 &&
      packetType !== rtcpPacketType.senderReport &&
      packetType !== rtcpPacketType.receiverReport
    ) {
      return fail("first-not-report");
    }
    const parsed = parseOne(packetType, b0 & 0x1f, buf.subarray(o + 4, bodyEnd));
    if (typeof parsed === "string") return fail(parsed);
    packets.push(parsed);
    o = end;
  }
  return { ok: true, packets };
}
