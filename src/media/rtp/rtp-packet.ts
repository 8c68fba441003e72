/**
 * RTP fixed header, CSRC list, header extension and padding (RFC 3550 5.1, 5.3.1).
 * Parsing never throws: it returns the packet or a typed error. The parsed payload and extension
 * data are views into the input buffer (no copy); copy them if the buffer is reused.
 */

export const rtpVersion = 2;
export const rtpFixedHeaderBytes = 12;

/** Header extension as profile-defined 16 bits plus opaque data (RFC 3550 5.3.1). */
export interface RtpHeaderExtension {
  /** 0xBEDE for RFC 8285 one-byte elements, 0x100x for two-byte elements. */
  readonly profile: number;
  /** Extension body, a multiple of 4 bytes on the wire (zero padded when serializing). */
  readonly data: Uint8Array;
}

export interface RtpPacket {
  readonly marker: boolean;
  readonly payloadType: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly csrcs: readonly number[];
  readonly extension?: RtpHeaderExtension | undefined;
  readonly payload: Uint8Array;
  /** Padding octets after the payload, including the count octet; 0 means no padding (P bit clear). */
  readonly paddingBytes: number;
}

export type RtpParseError =
  | "truncated"
  | "wrong-version"
  | "bad-padding"
  | "csrc-beyond-length"
  | "extension-beyond-length";

export type RtpParseResult =
  | { readonly ok: true; readonly packet: RtpPacket }
  | { readonly ok: false; readonly error: RtpParseError };

const noCsrcs: readonly number[] = Object.freeze([]);

function fail(error: RtpParseError): RtpParseResult {
  return { ok: false, error };
}

function readU32(buf: Uint8Array, at: number): number {
  return (
    ((buf[at] ?? 0) * 0x100_0000 +
      (((buf[at + 1] ?? 0) << 16) | ((buf[at + 2] ?? 0) << 8) | (buf[at + 3] ?? 0))) >>>
    0
  );
}

function writeU32(buf: Uint8Array, at: number, value: number): void {
  buf[at] = value >>> 24;
  buf[at + 1] = value >>> 16;
  buf[at + 2] = value >>> 8;
  buf[at + 3] = value;
}

/**
 * Length of the RTP header (fixed header, CSRCs and extension) of `buf`, or a negative number when
 * the header does not fit: the SRTP transform uses this to find the encrypted portion without
 * allocating a parsed packet. `packetBytes` limits the packet to `buf[0, packetBytes)` (SRTP: without
 * the tag).
 */
export function rtpHeaderLength(buf: Uint8Array, packetBytes = buf.length): number {
  if (packetBytes < rtpFixedHeaderBytes) return -1;
  const b0 = buf[0] ?? 0;
  let length = rtpFixedHeaderBytes + (b0 & 0x0f) * 4;
  if (length > packetBytes) return -1;
  if ((b0 & 0x10) !== 0) {
    if (length + 4 > packetBytes) return -1;
    length += 4 + (((buf[length + 2] ?? 0) << 8) | (buf[length + 3] ?? 0)) * 4;
    if (length > packetBytes) return -1;
  }
  return length;
}

/** Parses one RTP packet (RFC 3550 5.1). Never throws. */
export function parseRtpPacket(buf: Uint8Array): RtpParseResult {
  if (buf.length < rtpFixedHeaderBytes) return fail("truncated");
  const b0 = buf[0] ?? 0;
  const b1 = buf[1] ?? 0;
  // RFC 3550 5.1: "version (V): 2 bits. This field identifies the version of RTP ... (2)."
  if (b0 >>> 6 !== rtpVersion) return fail("wrong-version");
  const csrcCount = b0 & 0x0f;
  let offset = rtpFixedHeaderBytes;
  if (offset + csrcCount * 4 > buf.length) return fail("csrc-beyond-length");
  let csrcs = noCsrcs;
  if (csrcCount > 0) {
    const list: number[] = [];
    for (let i = 0; i < csrcCount; i++) list.push(readU32(buf, offset + i * 4));
    csrcs = list;
  }
  offset += csrcCount * 4;
  let extension: RtpHeaderExtension | undefined;
  if ((b0 & 0x10) !== 0) {
    if (offset + 4 > buf.length) return fail("extension-beyond-length");
    const profile = ((buf[offset] ?? 0) << 8) | (buf[offset + 1] ?? 0);
    const words = ((buf[offset + 2] ?? 0) << 8) | (buf[offset + 3] ?? 0);
    const end = offset + 4 + words * 4;
    if (end > buf.length) return fail("extension-beyond-length");
    extension = { profile, data: buf.subarray(offset + 4, end) };
    offset = end;
  }
  let paddingBytes = 0;
  if ((b0 & 0x20) !== 0) {
    // RFC 3550 5.1: "The last octet of the padding contains a count of how many padding octets
    // should be ignored, including itself."
    paddingBytes = buf[buf.length - 1] ?? 0;
    if (paddingBytes === 0 || offset + paddingBytes > buf.length) return fail("bad-padding");
  }
  return {
    ok: true,
    packet: {
      marker: (b1 & 0x80) !== 0,
      payloadType: b1 & 0x7f,
      sequenceNumber: ((buf[2] ?? 0) << 8) | (buf[3] ?? 0),
      timestamp: readU32(buf, 4),
      ssrc: readU32(buf, 8),
      csrcs,
      extension,
      payload: buf.subarray(offset, buf.length - paddingBytes),
      paddingBytes,
    },
  };
}

/** Bytes `serializeRtpPacket` writes for `packet`. */
export function rtpPacketSize(packet: RtpPacket): number {
  let size = rtpFixedHeaderBytes + packet.csrcs.length * 4 + packet.payload.length + packet.paddingBytes;
  if (packet.extension !== undefined) size += 4 + Math.ceil(packet.extension.data.length / 4) * 4;
  return size;
}

/**
 * Writes `packet` into `out` (allocated when absent or too small) and returns the written view.
 * Pass a reusable `out` on the send path to avoid an allocation per packet.
 * Throws RangeError only on programmer error (more than 15 CSRCs, padding over 255, PT over 127).
 */
export function serializeRtpPacket(packet: RtpPacket, out?: Uint8Array): Uint8Array {
  const { csrcs, extension, payload, paddingBytes } = packet;
  if (csrcs.length > 15) throw new RangeError("RTP allows at most 15 CSRCs");
  if (paddingBytes < 0 || paddingBytes > 255) throw new RangeError("RTP padding must be 0..255 bytes");
  if (packet.payloadType < 0 || packet.payloadType > 127) throw new RangeError("RTP payload type is 7 bits");
  const size = rtpPacketSize(packet);
  const buf = out !== undefined && out.length >= size ? out.subarray(0, size) : new Uint8Array(size);
  buf[0] =
    (rtpVersion << 6) | (paddingBytes > 0 ? 0x20 : 0) | (extension !== undefined ? 0x10 : 0) | csrcs.length;
  buf[1] = (packet.marker ? 0x80 : 0) | packet.payloadType;
  buf[2] = packet.sequenceNumber >>> 8;
  buf[3] = packet.sequenceNumber;
  writeU32(buf, 4, packet.timestamp);
  writeU32(buf, 8, packet.ssrc);
  let offset = rtpFixedHeaderBytes;
  for (const csrc of csrcs) {
    writeU32(buf, offset, csrc);
    offset += 4;
  }
  if (extension !== undefined) {
    const words = Math.ceil(extension.data.length / 4);
    buf[offset] = extension.profile >>> 8;
    buf[offset + 1] = extension.profile;
    buf[offset + 2] = words >>> 8;
    buf[offset + 3] = words;
    buf.set(extension.data, offset + 4);
    buf.fill(0, offset + 4 + extension.data.length, offset + 4 + words * 4);
    offset += 4 + words * 4;
  }
  buf.set(payload, offset);
  offset += payload.length;
  if (paddingBytes > 0) {
    buf.fill(0, offset, offset + paddingBytes - 1);
    buf[offset + paddingBytes - 1] = paddingBytes;
  }
  return buf;
}

/**
 * RFC 5761 4: with rtcp-mux, packets whose second octet is 192..223 (RTCP packet types 200..207
 * with the marker bit position) are RTCP; everything else is RTP.
 */
export function isRtcpPacket(buf: Uint8Array): boolean {
  const b1 = buf[1] ?? 0;
  return buf.length >= 8 && b1 >= 192 && b1 <= 223;
}
