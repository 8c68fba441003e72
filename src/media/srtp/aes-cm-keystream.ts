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
  #counters: Buffer;

  /** `key` is 16 bytes; `salt` is the 14-byte session salt (112 bits). */
  constructor(key: Uint8Array, salt: Uint8Array) {
    if (key.length !== 16 || salt.length !== 14)
      throw new RangeError("AES-CM needs a 16-byte key and 14-byte salt");
    this.#ecb = createCipheriv("aes-128-ecb", key, null);
    this.#ecb.setAutoPadding(false);
    this.#salt = Uint8Array.from(salt);
    this.#counters = Buffer.alloc(blockBytes * 96);
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
    if (this.#counters.length < blocks * blockBytes) this.#counters = Buffer.alloc(blocks * blockBytes);
    const c = this.#counters;
    const s = this.#salt;
    // First block: the IV itself.
    for (let i = 0; i < 14; i++) c[i] = s[i] ?? 0;
    c[4] = (c[4] ?? 0) ^ (ssrc >>> 24);
    c[5] = (c[5] ?? 0) ^ ((ssrc >>> 16) & 0xff);
    c[6] = (c[6] ?? 0) ^ ((ssrc >>> 8) & 0xff);
    c[7] = (c[7] ?? 0) ^ (ssrc & 0xff);
    c[8] = (c[8] ?? 0) ^ ((indexHigh16 >>> 8) & 0xff);
    c[9] = (c[9] ?? 0) ^ (indexHigh16 & 0xff);
    c[10] = (c[10] ?? 0) ^ (indexLow32 >>> 24);
    c[11] = (c[11] ?? 0) ^ ((indexLow32 >>> 16) & 0xff);
    c[12] = (c[12] ?? 0) ^ ((indexLow32 >>> 8) & 0xff);
    c[13] = (c[13] ?? 0) ^ (indexLow32 & 0xff);
    c[14] = 0;
    c[15] = 0;
    for (let j = 1; j < blocks; j++) {
      const o = j * blockBytes;
      c.copyWithin(o, 0, 14);
      c[o + 14] = j >>> 8;
      c[o + 15] = j & 0xff;
    }
    const keystream = this.#ecb.update(c.subarray(0, blocks * blockBytes));
    for (let i = 0; i < length; i++) buf[start + i] = (buf[start + i] ?? 0) ^ (keystream[i] ?? 0);
  }
}
