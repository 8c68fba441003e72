/**
 * AES-128 in counter mode as SRTP defines it (RFC 3711 4.1.1): IV = (salt * 2^16) XOR
 * (SSRC * 2^64) XOR (index * 2^16), one 16-bit block counter in the low bits.
 *
 * One AES-128-ECB cipher is created per session key and reused for every packet: the counter
 * blocks are written into a reusable buffer and encrypted with `update()` (never `final()`), so a
 * packet costs no cipher construction. Tests cross-check it against node's 'aes-128-ctr'.
 *
 * Keystream prefetch: SRTP packet indices are predictable (a sender's next packet has the next
 * index, and so, usually, does a receiver's), so with `prefetchPackets` > 1 one `update()` call
 * makes the keystream of that many consecutive indices of one SSRC, and the following packets take
 * theirs from the cache. node:crypto has no update-into API, so every `update()` allocates its
 * output: prefetching divides those allocations (and the per-call overhead) by the batch size. The
 * keystream of an index is fixed by key, salt, SSRC and index, so a cached one is exactly what a
 * fresh computation would give; an index outside the cache (loss, reordering, a new SSRC or a
 * longer packet) just computes a new batch starting there.
 */
import { type Cipher, createCipheriv } from "node:crypto";

const blockBytes = 16;
const saltBytes = 14;
/** Packets longer than this many blocks (1 KiB) are not prefetched (one packet per update()). */
const maxPrefetchBlocks = 64;

export interface AesCmKeystreamOptions {
  /** Consecutive packet indices per update() call (default 1: no prefetch). */
  readonly prefetchPackets?: number;
}

export class AesCmKeystream {
  readonly #ecb: Cipher;
  readonly #salt: Uint8Array;
  readonly #prefetchPackets: number;
  /** Scratch IV (14 bytes; the block counter lives in bytes 14..15 of each counter block). */
  readonly #iv = new Uint8Array(saltBytes);
  /** Counter blocks: packet p, block j at (p * blocksPerPacket + j) * 16; bytes 14..15 hold j. */
  #counters = new Uint8Array(0);
  #counterBlocksPerPacket = 0;
  /** The cached keystream (aligned, our own copy of update()'s output) as bytes and 32-bit words. */
  #keystream = new Uint8Array(0);
  #keystreamWords = new Int32Array(0);
  /** A 32-bit view of the whole ArrayBuffer last XORed into (see #xorInto). */
  #wordView: Int32Array | undefined;
  #cacheSsrc = -1;
  /** 48-bit index of the first cached packet, the number of cached packets and their blocks. */
  #cacheIndex = -1;
  #cachePackets = 0;
  #cacheBlocks = 0;
  /** The longest packet seen, in blocks (a batch covers it, so a DTMF packet does not shrink it). */
  #preferredBlocks = 1;
  /** update() calls made (for benchmarks and tests). */
  cipherCalls = 0;

  /** `key` is 16 bytes; `salt` is the 14-byte session salt (112 bits). */
  constructor(key: Uint8Array, salt: Uint8Array, options: AesCmKeystreamOptions = {}) {
    if (key.length !== 16 || salt.length !== saltBytes)
      throw new RangeError("AES-CM needs a 16-byte key and 14-byte salt");
    this.#ecb = createCipheriv("aes-128-ecb", key, null);
    this.#ecb.setAutoPadding(false);
    this.#salt = Uint8Array.from(salt);
    this.#prefetchPackets = Math.max(1, Math.min(64, Math.floor(options.prefetchPackets ?? 1)));
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
    const index = indexHigh16 * 0x1_0000_0000 + indexLow32;
    const slot = index - this.#cacheIndex;
    if (
      ssrc !== this.#cacheSsrc ||
      slot < 0 ||
      slot >= this.#cachePackets ||
      blocks > this.#cacheBlocks ||
      this.#cacheIndex < 0
    ) {
      this.#fill(ssrc, index, blocks);
      this.#xorInto(buf, start, length, 0);
      return;
    }
    this.#xorInto(buf, start, length, slot * this.#cacheBlocks * blockBytes);
  }

  /**
   * buf[start, start + length) ^= keystream[from, from + length). 32 bits at a time when both sides
   * are 4-byte aligned (RTP payloads start on a 4-byte boundary), else bytewise. The word view of
   * the last buffer is kept: the send path's packet slots share one buffer, so it costs no view
   * per packet there (a received datagram is a new buffer each time and gets one).
   */
  #xorInto(buf: Uint8Array, start: number, length: number, from: number): void {
    const keystream = this.#keystream;
    let i = 0;
    const at = buf.byteOffset + start;
    if (length >= 16 && (at & 3) === 0 && (from & 3) === 0) {
      let view = this.#wordView;
      if (view === undefined || view.buffer !== buf.buffer) {
        view = new Int32Array(buf.buffer, 0, buf.buffer.byteLength >>> 2);
        this.#wordView = view;
      }
      const words = length >>> 2;
      const w0 = at >>> 2;
      const k = from >>> 2;
      const keyWords = this.#keystreamWords;
      for (let w = 0; w < words; w++) view[w0 + w] = (view[w0 + w] as number) ^ (keyWords[k + w] as number);
      i = words << 2;
    }
    for (; i < length; i++) buf[start + i] = (buf[start + i] as number) ^ (keystream[from + i] as number);
  }

  /** Computes the keystream of `index` (and, with prefetch, the indices after it) into the cache. */
  #fill(ssrc: number, index: number, blocks: number): void {
    if (blocks > this.#preferredBlocks && blocks <= maxPrefetchBlocks) this.#preferredBlocks = blocks;
    const packets = blocks > maxPrefetchBlocks ? 1 : this.#prefetchPackets;
    const per = packets === 1 ? blocks : Math.max(blocks, this.#preferredBlocks);
    const total = packets * per;
    if (this.#counterBlocksPerPacket !== per || this.#counters.length < total * blockBytes) {
      this.#counters = new Uint8Array(total * blockBytes);
      this.#counterBlocksPerPacket = per;
      for (let b = 0; b < total; b++) {
        const j = b % per;
        this.#counters[b * blockBytes + 14] = j >>> 8;
        this.#counters[b * blockBytes + 15] = j & 0xff;
      }
    }
    const c = this.#counters;
    const iv = this.#iv;
    for (let p = 0; p < packets; p++) {
      const i = index + p;
      const high16 = Math.floor(i / 0x1_0000_0000) & 0xffff;
      const low32 = i >>> 0;
      iv.set(this.#salt);
      // RFC 3711 4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16)
      iv[4] = (iv[4] as number) ^ (ssrc >>> 24);
      iv[5] = (iv[5] as number) ^ ((ssrc >>> 16) & 0xff);
      iv[6] = (iv[6] as number) ^ ((ssrc >>> 8) & 0xff);
      iv[7] = (iv[7] as number) ^ (ssrc & 0xff);
      iv[8] = (iv[8] as number) ^ (high16 >>> 8);
      iv[9] = (iv[9] as number) ^ (high16 & 0xff);
      iv[10] = (iv[10] as number) ^ (low32 >>> 24);
      iv[11] = (iv[11] as number) ^ ((low32 >>> 16) & 0xff);
      iv[12] = (iv[12] as number) ^ ((low32 >>> 8) & 0xff);
      iv[13] = (iv[13] as number) ^ (low32 & 0xff);
      const first = p * per;
      for (let j = 0; j < per; j++) c.set(iv, (first + j) * blockBytes);
    }
    const bytes = total * blockBytes;
    const out = this.#ecb.update(c.length === bytes ? c : c.subarray(0, bytes));
    this.cipherCalls++;
    if (this.#keystream.length < bytes) {
      this.#keystream = new Uint8Array(bytes);
      this.#keystreamWords = new Int32Array(this.#keystream.buffer);
    }
    this.#keystream.set(out);
    this.#cacheSsrc = ssrc;
    this.#cacheIndex = index;
    this.#cachePackets = packets;
    this.#cacheBlocks = per;
  }
}
