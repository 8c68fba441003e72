/**
 * HMAC-SHA1 (RFC 2104, FIPS 180-4) for the SRTP/SRTCP authentication tag (RFC 3711 4.2.1), with
 * no allocation per message. node's createHmac() builds a native Hmac object and a digest Buffer
 * for every packet; at 10,000 packets/s (100 calls both ways) those short-lived native objects
 * made the young-generation GC run every ~0.6 s with 5-40 ms pauses, which delayed the 20 ms pacer.
 *
 * The key is fixed per instance: the compression states after the inner (key XOR ipad) and outer
 * (key XOR opad) blocks are computed once, so a message costs its own blocks plus one outer block.
 * Tests cross-check it against node's createHmac("sha1").
 */

const blockBytes = 64;
const digestBytes = 20;

export class HmacSha1 {
  /** State after compressing key XOR ipad, and after key XOR opad. */
  readonly #innerStart = new Int32Array(5);
  readonly #outerStart = new Int32Array(5);
  readonly #h = new Int32Array(5);
  readonly #w = new Int32Array(80);
  readonly #block = new Uint8Array(blockBytes);
  /** The last digest (20 bytes), overwritten by the next call. */
  readonly #digest = new Uint8Array(digestBytes);
  #fill = 0;
  #length = 0;

  constructor(key: Uint8Array) {
    let k = key;
    // RFC 2104 2: keys longer than the block size are hashed first.
    if (k.length > blockBytes) {
      this.#begin(undefined);
      this.#update(k, 0, k.length);
      k = Uint8Array.from(this.#finish());
    }
    const pad = new Uint8Array(blockBytes);
    for (let i = 0; i < blockBytes; i++) pad[i] = (k[i] ?? 0) ^ 0x36;
    this.#begin(undefined);
    this.#update(pad, 0, blockBytes);
    this.#innerStart.set(this.#h);
    for (let i = 0; i < blockBytes; i++) pad[i] = (k[i] ?? 0) ^ 0x5c;
    this.#begin(undefined);
    this.#update(pad, 0, blockBytes);
    this.#outerStart.set(this.#h);
  }

  /**
   * HMAC over `data[start, end)` followed by the 4-byte big-endian `trailer32` when given (the
   * SRTP ROC). Returns a view of an internal 20-byte digest, valid until the next call.
   */
  digest(data: Uint8Array, start: number, end: number, trailer32?: number): Uint8Array {
    this.#begin(this.#innerStart);
    this.#length = blockBytes;
    this.#update(data, start, end);
    if (trailer32 !== undefined) {
      this.#byte(trailer32 >>> 24);
      this.#byte((trailer32 >>> 16) & 0xff);
      this.#byte((trailer32 >>> 8) & 0xff);
      this.#byte(trailer32 & 0xff);
    }
    const inner = this.#finish();
    this.#begin(this.#outerStart);
    this.#length = blockBytes;
    this.#update(inner, 0, digestBytes);
    return this.#finish();
  }

  /** Writes the first `tagBytes` of the HMAC into `out` at `at`. */
  sign(
    data: Uint8Array,
    start: number,
    end: number,
    trailer32: number | undefined,
    out: Uint8Array,
    at: number,
    tagBytes: number,
  ): void {
    const d = this.digest(data, start, end, trailer32);
    for (let i = 0; i < tagBytes; i++) out[at + i] = d[i] ?? 0;
  }

  /** Constant-time comparison of the first `tagBytes` of the HMAC with `tag[at, at + tagBytes)`. */
  verify(
    data: Uint8Array,
    start: number,
    end: number,
    trailer32: number | undefined,
    tag: Uint8Array,
    at: number,
    tagBytes: number,
  ): boolean {
    const d = this.digest(data, start, end, trailer32);
    let diff = 0;
    for (let i = 0; i < tagBytes; i++) diff |= (d[i] ?? 0) ^ (tag[at + i] ?? 0);
    return diff === 0;
  }

  #begin(state: Int32Array | undefined): void {
    const h = this.#h;
    if (state === undefined) {
      h[0] = 0x67452301;
      h[1] = 0xefcdab89 | 0;
      h[2] = 0x98badcfe | 0;
      h[3] = 0x10325476;
      h[4] = 0xc3d2e1f0 | 0;
    } else {
      h.set(state);
    }
    this.#fill = 0;
    this.#length = 0;
  }

  #byte(value: number): void {
    this.#block[this.#fill++] = value;
    this.#length++;
    if (this.#fill === blockBytes) {
      this.#compress(this.#block, 0);
      this.#fill = 0;
    }
  }

  #update(data: Uint8Array, start: number, end: number): void {
    const block = this.#block;
    let fill = this.#fill;
    let i = start;
    // Top up a partly filled block, then compress whole blocks straight from `data`.
    if (fill > 0) {
      while (i < end && fill < blockBytes) block[fill++] = data[i++] as number;
      if (fill === blockBytes) {
        this.#compress(block, 0);
        fill = 0;
      }
    }
    for (; end - i >= blockBytes; i += blockBytes) this.#compress(data, i);
    while (i < end) block[fill++] = data[i++] as number;
    this.#fill = fill;
    this.#length += end - start;
  }

  /** FIPS 180-4 5.1.1 padding, then the digest into #digest. */
  #finish(): Uint8Array {
    const bits = this.#length * 8;
    const block = this.#block;
    let fill = this.#fill;
    block[fill++] = 0x80;
    if (fill > blockBytes - 8) {
      block.fill(0, fill);
      this.#compress(block, 0);
      fill = 0;
    }
    block.fill(0, fill, blockBytes - 8);
    // Messages here are far below 2^32 bits; the high word of the 64-bit length stays 0.
    const high = Math.floor(bits / 0x1_0000_0000);
    block[56] = high >>> 24;
    block[57] = (high >>> 16) & 0xff;
    block[58] = (high >>> 8) & 0xff;
    block[59] = high & 0xff;
    block[60] = bits >>> 24;
    block[61] = (bits >>> 16) & 0xff;
    block[62] = (bits >>> 8) & 0xff;
    block[63] = bits & 0xff;
    this.#compress(block, 0);
    this.#fill = 0;
    const h = this.#h;
    const d = this.#digest;
    for (let i = 0; i < 5; i++) {
      const v = h[i] ?? 0;
      d[i * 4] = v >>> 24;
      d[i * 4 + 1] = (v >>> 16) & 0xff;
      d[i * 4 + 2] = (v >>> 8) & 0xff;
      d[i * 4 + 3] = v & 0xff;
    }
    return d;
  }

  /** FIPS 180-4 6.1.2: one 512-bit block, `b[at, at + 64)`, into #h. */
  #compress(b: Uint8Array, at: number): void {
    const w = this.#w;
    // Indices are in range by construction; `as number` avoids a per-byte `?? 0` in the hot loop.
    for (let t = 0; t < 16; t++) {
      const j = at + t * 4;
      w[t] =
        ((b[j] as number) << 24) |
        ((b[j + 1] as number) << 16) |
        ((b[j + 2] as number) << 8) |
        (b[j + 3] as number);
    }
    for (let t = 16; t < 80; t++) {
      const x = (w[t - 3] as number) ^ (w[t - 8] as number) ^ (w[t - 14] as number) ^ (w[t - 16] as number);
      w[t] = (x << 1) | (x >>> 31);
    }
    const h = this.#h;
    let a = h[0] as number;
    let bb = h[1] as number;
    let c = h[2] as number;
    let d = h[3] as number;
    let e = h[4] as number;
    // One loop per round function (no per-round branch).
    for (let t = 0; t < 20; t++) {
      const temp = (((a << 5) | (a >>> 27)) + ((bb & c) | (~bb & d)) + e + 0x5a827999 + (w[t] as number)) | 0;
      e = d;
      d = c;
      c = (bb << 30) | (bb >>> 2);
      bb = a;
      a = temp;
    }
    for (let t = 20; t < 40; t++) {
      const temp = (((a << 5) | (a >>> 27)) + (bb ^ c ^ d) + e + 0x6ed9eba1 + (w[t] as number)) | 0;
      e = d;
      d = c;
      c = (bb << 30) | (bb >>> 2);
      bb = a;
      a = temp;
    }
    for (let t = 40; t < 60; t++) {
      const temp =
        (((a << 5) | (a >>> 27)) +
          ((bb & c) | (bb & d) | (c & d)) +
          e +
          (0x8f1bbcdc | 0) +
          (w[t] as number)) |
        0;
      e = d;
      d = c;
      c = (bb << 30) | (bb >>> 2);
      bb = a;
      a = temp;
    }
    for (let t = 60; t < 80; t++) {
      const temp = (((a << 5) | (a >>> 27)) + (bb ^ c ^ d) + e + (0xca62c1d6 | 0) + (w[t] as number)) | 0;
      e = d;
      d = c;
      c = (bb << 30) | (bb >>> 2);
      bb = a;
      a = temp;
    }
    h[0] = ((h[0] as number) + a) | 0;
    h[1] = ((h[1] as number) + bb) | 0;
    h[2] = ((h[2] as number) + c) | 0;
    h[3] = ((h[3] as number) + d) | 0;
    h[4] = ((h[4] as number) + e) | 0;
  }
}
