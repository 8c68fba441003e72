/**
 * Wraparound-safe arithmetic for 16-bit RTP sequence numbers and 32-bit RTP timestamps
 * (RFC 3550 5.1: both start at random values and wrap). Every comparison in the media layer goes
 * through these names instead of raw `<`.
 */

export const seqModulus = 0x1_0000;
const halfSeq = 0x8000;
const timestampModulus = 0x1_0000_0000;

/** Signed distance `a - b` of two 16-bit sequence numbers, in [-32768, 32767]. */
export function seqDiff(a: number, b: number): number {
  const d = (a - b) & 0xffff;
  return d >= halfSeq ? d - seqModulus : d;
}

/** True when sequence number `a` is after `b` (mod 2^16, within half the space). */
export function seqNewer(a: number, b: number): boolean {
  return seqDiff(a, b) > 0;
}

/** `seq + n` wrapped to 16 bits. */
export function seqAdd(seq: number, n: number): number {
  return (seq + n) & 0xffff;
}

/** Signed distance `a - b` of two 32-bit RTP timestamps, in [-2^31, 2^31 - 1]. */
export function timestampDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** True when RTP timestamp `a` is after `b` (mod 2^32, within half the space). */
export function timestampNewer(a: number, b: number): boolean {
  return timestampDiff(a, b) > 0;
}

/** `timestamp + n` wrapped to 32 bits (unsigned). */
export function timestampAdd(timestamp: number, n: number): number {
  return ((timestamp + n) % timestampModulus) >>> 0;
}

/**
 * Unwraps 16-bit sequence numbers into a monotonic extended sequence number
 * (`cycles * 65536 + seq`, RFC 3550 6.4.1 "extended highest sequence number received").
 * A late packet from the previous cycle maps below the current cycle instead of jumping ahead.
 */
export class ExtendedSequenceTracker {
  #highest = -1;

  /** Highest extended sequence number seen, or -1 before the first packet. */
  get highest(): number {
    return this.#highest;
  }

  /** Returns the extended sequence number of `seq` and advances the highest when it is newer. */
  update(seq: number): number {
    if (this.#highest < 0) {
      this.#highest = seq;
      return seq;
    }
    const extended = this.#highest + seqDiff(seq, this.#highest & 0xffff);
    if (extended > this.#highest) this.#highest = extended;
    return extended;
  }
}
