/**
 * The two SRTP primitives (RFC 3711 4.1.1 AES-CM keystream, 4.2.1 HMAC-SHA1 tag) behind one seam,
 * from either engine: the native addon (OpenSSL through node's own symbols, src/media/native) or
 * the pure-JS classes. Both give identical bytes (tests cross-check them and run the RFC vectors
 * through each); the native one costs a fraction of the CPU and allocates nothing per packet.
 */
import { type MediaAddon, mediaAddon } from "../native/media-addon.js";
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

class NativeAesCm implements SrtpKeystream {
  readonly #addon: MediaAddon;
  readonly #handle: ReturnType<MediaAddon["aesCmCreate"]>;
  cipherCalls = 0;

  constructor(addon: MediaAddon, key: Uint8Array, salt: Uint8Array) {
    if (key.length !== 16 || salt.length !== 14)
      throw new RangeError("AES-CM needs a 16-byte key and 14-byte salt");
    this.#addon = addon;
    this.#handle = addon.aesCmCreate(key, salt);
  }

  xor(
    buf: Uint8Array,
    start: number,
    end: number,
    ssrc: number,
    indexHigh16: number,
    indexLow32: number,
  ): void {
    if (end <= start) return;
    this.cipherCalls++;
    this.#addon.aesCmXor(this.#handle, buf, start, end, ssrc, indexHigh16, indexLow32);
  }
}

class NativeHmacSha1 implements SrtpAuthenticator {
  readonly #addon: MediaAddon;
  readonly #handle: ReturnType<MediaAddon["hmacSha1Create"]>;

  constructor(addon: MediaAddon, key: Uint8Array) {
    this.#addon = addon;
    this.#handle = addon.hmacSha1Create(key);
  }

  sign(
    data: Uint8Array,
    start: number,
    end: number,
    trailer32: number | undefined,
    out: Uint8Array,
    at: number,
    tagBytes: number,
  ): void {
    this.#addon.hmacSha1Sign(this.#handle, data, start, end, trailer32 ?? -1, out, at, tagBytes);
  }

  verify(
    data: Uint8Array,
    start: number,
    end: number,
    trailer32: number | undefined,
    tag: Uint8Array,
    at: number,
    tagBytes: number,
  ): boolean {
    return this.#addon.hmacSha1Verify(this.#handle, data, start, end, trailer32 ?? -1, tag, at, tagBytes);
  }
}

/** The engine used when none is asked for: native when the addon is loaded. */
export function defaultSrtpEngine(): SrtpEngine {
  return mediaAddon() === undefined ? "js" : "native";
}

/** Throws when `engine` is "native" and the addon is not loaded (mediaAddonStatus() says why). */
function requireAddon(): MediaAddon {
  const addon = mediaAddon();
  if (addon === undefined) throw new Error("the native media addon is not loaded (see mediaAddonStatus())");
  return addon;
}

export function createSrtpKeystream(
  engine: SrtpEngine,
  key: Uint8Array,
  salt: Uint8Array,
  prefetchPackets: number,
): SrtpKeystream {
  if (engine === "native") return new NativeAesCm(requireAddon(), key, salt);
  return new AesCmKeystream(key, salt, { prefetchPackets });
}

export function createSrtpAuthenticator(engine: SrtpEngine, key: Uint8Array): SrtpAuthenticator {
  if (engine === "native") return new NativeHmacSha1(requireAddon(), key);
  return new HmacSha1(key);
}
