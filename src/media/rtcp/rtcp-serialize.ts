/**
 * Serializes RTCP packets and compound packets (RFC 3550 6.4-6.6). Sizes are computed first so a
 * compound packet is written into one buffer (no concatenation).
 */
import { type RtcpPacket, type RtcpReportBlock, rtcpPacketType } from "./rtcp-packet.js";

const utf8 = new TextEncoder();

function w32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = v >>> 16;
  b[at + 2] = v >>> 8;
  b[at + 3] = v;
}

function sdesBodySize(packet: Extract<RtcpPacket, { kind: "sdes" }>): number {
  let size = 0;
  for (const chunk of packet.chunks) {
    let chunkSize = 4;
    for (const item of chunk.items) chunkSize += 2 + Math.min(255, utf8.encode(item.value).length);
    // At least one null terminator, then pad to 32 bits.
    size += (chunkSize + 4) & ~3;
  }
  return size;
}

function byeBodySize(packet: Extract<RtcpPacket, { kind: "bye" }>): number {
  let size = packet.ssrcs.length * 4;
  if (packet.reason !== undefined) size += (1 + Math.min(255, utf8.encode(packet.reason).length) + 3) & ~3;
  return size;
}

/** Bytes one packet occupies on the wire, including its 4-byte header. */
export function rtcpPacketSize(packet: RtcpPacket): number {
  switch (packet.kind) {
    case "sr":
      return 4 + 24 + packet.reports.length * 24;
    case "rr":
      return 4 + 4 + packet.reports.length * 24;
    case "sdes":
      return 4 + sdesBodySize(packet);
    case "bye":
      return 4 + byeBodySize(packet);
    case "unknown":
      return 4 + ((packet.body.length + 3) & ~3);
  }
}

function writeReports(b: Uint8Array, at: number, reports: readonly RtcpReportBlock[]): void {
  let o = at;
  for (const r of reports) {
    w32(b, o, r.ssrc);
    const lost = Math.max(-0x80_0000, Math.min(0x7f_ffff, r.cumulativeLost)) & 0xff_ffff;
    w32(b, o + 4, ((r.fractionLost & 0xff) << 24) | lost);
    w32(b, o + 8, r.extendedHighestSequence);
    w32(b, o + 12, r.jitter);
    w32(b, o + 16, r.lastSenderReport);
    w32(b, o + 20, r.delaySinceLastSenderReport);
    o += 24;
  }
}

function writeHeader(b: Uint8Array, at: number, count: number, packetType: number, size: number): void {
  b[at] = 0x80 | (count & 0x1f);
  b[at + 1] = packetType;
  const words = size / 4 - 1;
  b[at + 2] = words >>> 8;
  b[at + 3] = words;
}

function writePacket(b: Uint8Array, at: number, packet: RtcpPacket, size: number): void {
  b.fill(0, at, at + size);
  switch (packet.kind) {
    case "sr":
      writeHeader(b, at, packet.reports.length, rtcpPacketType.senderReport, size);
      w32(b, at + 4, packet.ssrc);
      w32(b, at + 8, packet.ntpTimestamp.seconds);
      w32(b, at + 12, packet.ntpTimestamp.fraction);
      w32(b, at + 16, packet.rtpTimestamp);
      w32(b, at + 20, packet.packetCount);
      w32(b, at + 24, packet.octetCount);
      writeReports(b, at + 28, packet.reports);
      return;
    case "rr":
      writeHeader(b, at, packet.reports.length, rtcpPacketType.receiverReport, size);
      w32(b, at + 4, packet.ssrc);
      writeReports(b, at + 8, packet.reports);
      return;
    case "sdes": {
      writeHeader(b, at, packet.chunks.length, rtcpPacketType.sourceDescription, size);
      let o = at + 4;
      for (const chunk of packet.chunks) {
        const start = o;
        w32(b, o, chunk.ssrc);
        o += 4;
        for (const item of chunk.items) {
          const value = utf8.encode(item.value).subarray(0, 255);
          b[o] = item.type;
          b[o + 1] = value.length;
          b.set(value, o + 2);
          o += 2 + value.length;
        }
        o = start + ((o - start + 4) & ~3);
      }
      return;
    }
    case "bye": {
      writeHeader(b, at, packet.ssrcs.length, rtcpPacketType.bye, size);
      let o = at + 4;
      for (const ssrc of packet.ssrcs) {
        w32(b, o, ssrc);
        o += 4;
      }
      if (packet.reason !== undefined) {
        const reason = utf8.encode(packet.reason).subarray(0, 255);
        b[o] = reason.length;
        b.set(reason, o + 1);
      }
      return;
    }
    case "unknown":
      writeHeader(b, at, packet.count, packet.packetType, size);
      b.set(packet.body, at + 4);
      return;
  }
}

/**
 * Writes packets as one compound RTCP packet. Throws RangeError only on programmer error
 * (more than 31 report blocks, chunks or SSRCs in one packet).
 */
export function serializeRtcpCompound(packets: readonly RtcpPacket[]): Uint8Array {
  let total = 0;
  for (const p of packets) {
    const count =
      p.kind === "sr" || p.kind === "rr"
        ? p.reports.length
        : p.kind === "sdes"
          ? p.chunks.length
          : p.kind === "bye"
            ? p.ssrcs.length
            : 0;
    if (count > 31) throw new RangeError("RTCP count field is 5 bits");
    total += rtcpPacketSize(p);
  }
  const b = new Uint8Array(total);
  let o = 0;
  for (const p of packets) {
    const size = rtcpPacketSize(p);
    writePacket(b, o, p, size);
    o += size;
  }
  return b;
}
