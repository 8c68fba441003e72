/**
 * RFC 8285 header extension elements inside an RTP header extension (one-byte profile 0xBEDE,
 * two-byte profile 0x100x). Parsing never throws; a malformed body yields undefined.
 */
import type { RtpHeaderExtension } from "./rtp-packet.js";

export const oneByteExtensionProfile = 0xbede;
export const twoByteExtensionProfile = 0x1000;

export interface RtpExtensionElement {
  /** 1..14 for one-byte, 1..255 for two-byte. */
  readonly id: number;
  readonly data: Uint8Array;
}

/** Splits an extension into its elements, or undefined when the profile is not RFC 8285 or it is malformed. */
export function parseRtpExtensionElements(extension: RtpHeaderExtension): RtpExtensionElement[] | undefined {
  const { data, profile } = extension;
  const oneByte = profile === oneByteExtensionProfile;
  if (!oneByte && (profile & 0xfff0) !== twoByteExtensionProfile) return undefined;
  const out: RtpExtensionElement[] = [];
  let i = 0;
  while (i < data.length) {
    const b = data[i] ?? 0;
    // RFC 8285 4.2/4.3: padding bytes (0) may appear between elements.
    if (b === 0) {
      i++;
      continue;
    }
    if (oneByte) {
      const id = b >>> 4;
      // RFC 8285 4.2: "The local identifier value 15 is reserved ... the parser MUST stop".
      if (id === 15) break;
      const length = (b & 0x0f) + 1;
      if (i + 1 + length > data.length) return undefined;
      out.push({ id, data: data.subarray(i + 1, i + 1 + length) });
      i += 1 + length;
    } else {
      if (i + 2 > data.length) return undefined;
      const length = data[i + 1] ?? 0;
      if (i + 2 + length > data.length) return undefined;
      out.push({ id: b, data: data.subarray(i + 2, i + 2 + length) });
      i += 2 + length;
    }
  }
  return out;
}

/**
 * Builds an RFC 8285 extension from elements: one-byte form when every id is 1..14 and every
 * element is 1..16 bytes, otherwise two-byte form. Throws RangeError on an id out of 1..255 or an
 * element over 255 bytes (programmer error).
 */
export function buildRtpExtension(elements: readonly RtpExtensionElement[]): RtpHeaderExtension {
  const oneByte = elements.every((e) => e.id >= 1 && e.id <= 14 && e.data.length >= 1 && e.data.length <= 16);
  let size = 0;
  for (const e of elements) {
    if (e.id < 1 || e.id > 255 || e.data.length > 255) throw new RangeError("RFC 8285 element id or size");
    size += (oneByte ? 1 : 2) + e.data.length;
  }
  const data = new Uint8Array(Math.ceil(size / 4) * 4);
  let i = 0;
  for (const e of elements) {
    if (oneByte) {
      data[i++] = (e.id << 4) | (e.data.length - 1);
    } else {
      data[i++] = e.id;
      data[i++] = e.data.length;
    }
    data.set(e.data, i);
    i += e.data.length;
  }
  return { profile: oneByte ? oneByteExtensionProfile : twoByteExtensionProfile, data };
}
