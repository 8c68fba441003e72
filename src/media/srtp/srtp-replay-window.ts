/**
 * Replay list of RFC 3711 3.3.2 as a sliding window over packet indices. Each slot stores the
 * index last accepted into it (index mod size), so checking and accepting are O(1) with no
 * shifting: inside the window a slot holds either this index (replay) or an older one (fresh).
 */

export const defaultReplayWindowPackets = 64;

export type ReplayCheck = "fresh" | "replayed" | "too-old";

export class SrtpReplayWindow {
  readonly size: number;
  readonly #seen: Float64Array;
  #highest = -1;

  constructor(size: number = defaultReplayWindowPackets) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError("replay window must be a positive integer");
    this.size = size;
    this.#seen = new Float64Array(size).fill(-1);
  }

  get highest(): number {
    return this.#highest;
  }

  /** RFC 3711 3.3.2: reject an index already seen or to the left of the window. Does not record it. */
  check(index: number): ReplayCheck {
    if (index > this.#highest) return "fresh";
    if (this.#highest - index >= this.size) return "too-old";
    return this.#seen[index % this.size] === index ? "replayed" : "fresh";
  }

  /** Records an authenticated index ("the replay list is updated ... only after authentication"). */
  accept(index: number): void {
    if (index > this.#highest) this.#highest = index;
    this.#seen[index % this.size] = index;
  }
}
