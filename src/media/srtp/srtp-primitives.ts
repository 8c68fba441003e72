/**
 * The two SRTP primitives (RFC 3711 4.1.1 AES-CM keystream, 4.2.1 HMAC-SHA1 tag) behind one seam,
 * from either engine: the native addon (OpenSSL through node's own symbols, src/media/native) or
 * the pure-JS classes. Both give identical bytes (tests cross-check them and run the RFC vectors
 * through each); the native one costs a fraction of the CPU and allocates nothing per packet.
 */
import { builtMediaAddon, type MediaAddon, mediaAddon } from "../native/media-addon.js";
import { AesCmKeystream } from "./aes-cm-keystream.js";
import { HmacSha1 } from "./hmac-sha1.js";

export type SrtpEngine = "native" | "js";

export interface SrtpKeystream {
  /** XORs the keystream of (`ssrc`, 48-bit index) into `buf[start, end)` in place. */
  xor(
    buf: Uint8Array,
    start: number,
    end: number,
    ssrc: number,
    indexHigh16: number,
    indexLow32: number,
  ): void;
  /** Cipher calls made (benchmarks and tests). */
  readonly cipherCalls: number;
}

export interface SrtpAuthenticator {
  /** Writes the first `tagBytes` of the HMAC of `data[start, end)` (+ `trailer32`, the ROC) to `out[at]`. */
  sign(
    data: Uint8Array,
    start: number,
    end: number,
    trailer32: number | undefined,
    out: Uint8Array,
    at: number,
    tagBytes: number,
  ): void;
  /** Constant-time check of the first `tagBytes` of the HMAC against `tag[at, at + tagBytes)`. */
  verify(
    data: Uint8Array,
    start: number,
    end: number,
    trailer32: number | undefined,
    tag: Uint8Array,
    at: number,
    tagBytes: number,
  ): boolean;
}

/** The addon's AES-CM: one call per packet, in place (no keystream buffer, so no prefetch). */
function nativeKeystream(addon: MediaAddon, key: Uint8Array, salt: Uint8Array): SrtpKeystream {
  if (key.length !== 16 || salt.length !== 14)
    throw new RangeError("AES-CM needs a 16-byte key and 14-byte salt");
  const handle = addon.aesCmCreate(key, salt);
  const keystream: { cipherCalls: number; xor: SrtpKeystream["xor"] } = {
    cipherCalls: 0,
    xor: (buf, start, end, ssrc, indexHigh16, indexLow32) => {
      if (end <= start) return;
      keystream.cipherCalls++;
      addon.aesCmXor(handle, buf, start, end, ssrc, indexHigh16, indexLow32);
    },
  };
  return keystream;
}

/** The addon's HMAC-SHA1 (ipad/opad states precomputed once per key). */
function nativeAuthenticator(addon: MediaAddon, key: Uint8Array): SrtpAuthenticator {
  const handle = addon.hmacSha1Create(key);
  return {
    sign: (data, start, end, trailer32, out, at, tagBytes) =>
      addon.hmacSha1Sign(handle, data, start, end, trailer32 ?? -1, out, at, tagBytes),
    verify: (data, start, end, trailer32, tag, at, tagBytes) =>
      addon.hmacSha1Verify(handle, data, start, end, trailer32 ?? -1, tag, at, tagBytes),
  };
}

/** The engine used when none is asked for: native when the addon is loaded. */
export function defaultSrtpEngine(): SrtpEngine {
  return mediaAddon() === undefined ? "js" : "native";
}

/** Throws when "native" is asked for and the addon is not built (mediaAddonStatus() says why). */
function requireAddon(): MediaAddon {
  const addon = builtMediaAddon();
  if (addon === undefined) throw new Error("the native media addon is not loaded (see mediaAddonStatus())");
  return addon;
}

export function createSrtpKeystream(
  engine: SrtpEngine,
  key: Uint8Array,
  salt: Uint8Array,
  prefetchPackets: number,
): SrtpKeystream {
  if (engine === "native") return nativeKeystream(requireAddon(), key, salt);
  return new AesCmKeystream(key, salt, { prefetchPackets });
}

export function createSrtpAuthenticator(engine: SrtpEngine, key: Uint8Array): SrtpAuthenticator {
  if (engine === "native") return nativeAuthenticator(requireAddon(), key);
  return new HmacSha1(key);
}
