/**
 * AES-128 in counter mode as SRTP defines it (RFC 3711 4.1.1): IV = (salt * 2^16) XOR
 * (SSRC * 2^64) XOR (index * 2^16), one 16-bit block counter in the low bits.
 *
 * One AES-128-ECB cipher is created per session key and reused for every packet: the counter
 * blocks are written into a reusable buffer and encrypted with `update()` (never `final()`), so a
 * packet costs no cipher construction. Tests cross-check it against node's 'aes-128-ctr'.
 */
import { type Cipher, createCipheriv } from "node:crypto";

const blockBytes = 16;

export class AesCmKeystream {
  readonly #ecb: Cipher;
  readonly #salt: Uint8Array;
  /** Scratch IV (bytes 0..13; the block counter lives in bytes 14..15 of each counter block). */
  readonly #iv = new Uint8Array(14);
  /** Counter blocks; bytes 14..15 of block j hold j permanently, only bytes 0..13 are rewritten. */
  #counters: Uint8Array = new Uint8Array(0);
  /** views[n] = the first n counter blocks (made once, so a packet allocates no view). */
  #views: Uint8Array[] = [];

  /** `key` is 16 bytes; `salt` is the 14-byte session salt (112 bits). */
  constructor(key: Uint8Array, salt: Uint8Array) {
    if (key.length !== 16 || salt.length !== 14)
      throw new RangeError("AES-CM needs a 16-byte key and 14-byte salt");
    this.#ecb = createCipheriv("aes-128-ecb", key, null);
    this.#ecb.setAutoPadding(false);
    this.#salt = Uint8Array.from(salt);
    this.#grow(96);
  }

  #grow(blocks: number): void {
    const c = new Uint8Array(blocks * blockBytes);
    for (let j = 0; j < blocks; j++) {
      c[j * blockBytes + 14] = j >>> 8;
      c[j * blockBytes + 15] = j & 0xff;
    }
    this.#counters = c;
    this.#views = [];
    for (let n = 0; n <= blocks; n++) this.#views.push(c.subarray(0, n * blockBytes));
  }

  /**
   * XORs the keystream for (`ssrc`, 48-bit index = `indexHigh16` * 2^32 + `indexLow32`) into
   * `buf[start, end)` in place. The keystream starts at block 0 for `buf[start]`.
   */
  xor(
    buf: Uint8Array,
    start: number,
    end: number,
    ssrc: number,
    indexHigh16: number,
    indexLow32: number,
  ): void {
    const length = end - start;
    if (length <= 0) return;
    const blocks = Math.ceil(length / blockBytes);
    if (blocks > 0xffff) throw new RangeError("AES-CM payload over 2^16 blocks");
    if (this.#counters.length < blocks * blockBytes) this.#grow(blocks);
    const iv = this.#iv;
    iv.set(this.#salt);
    // RFC 3711 4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16)
    iv[4] = (iv[4] ?? 0) ^ (ssrc >>> 24);
    iv[5] = (iv[5] ?? 0) ^ ((ssrc >>> 16) & 0xff);
    iv[6] = (iv[6] ?? 0) ^ ((ssrc >>> 8) & 0xff);
    iv[7] = (iv[7] ?? 0) ^ (ssrc & 0xff);
    iv[8] = (iv[8] ?? 0) ^ ((indexHigh16 >>> 8) & 0xff);
    iv[9] = (iv[9] ?? 0) ^ (indexHigh16 & 0xff);
    iv[10] = (iv[10] ?? 0) ^ (indexLow32 >>> 24);
    iv[11] = (iv[11] ?? 0) ^ ((indexLow32 >>> 16) & 0xff);
    iv[12] = (iv[12] ?? 0) ^ ((indexLow32 >>> 8) & 0xff);
    iv[13] = (iv[13] ?? 0) ^ (indexLow32 & 0xff);
    const c = this.#counters;
    for (let j = 0; j < blocks; j++) c.set(iv, j * blockBytes);
    const keystream = this.#ecb.update(this.#views[blocks] ?? c.subarray(0, blocks * blockBytes));
    for (let i = 0; i < length; i++) buf[start + i] = (buf[start + i] ?? 0) ^ (keystream[i] ?? 0);
  }
}
