/**
 * A bounded queue of received frames read as an AsyncIterable. When the reader falls behind, the
 * oldest frame is dropped and counted (fresh audio matters more than complete audio in a call).
 * One reader at a time; `close()` ends the iteration after the frames already queued.
 */
import type { AudioFrame } from "../audio/audio-frame.js";

export class FrameQueue implements AsyncIterable<AudioFrame> {
  readonly capacity: number;
  readonly #ring: (AudioFrame | undefined)[];
  #head = 0;
  #length = 0;
  #closed = false;
  #waiter: ((result: IteratorResult<AudioFrame>) => void) | undefined;
  /** Frames dropped because the queue was full. */
  dropped = 0;

  constructor(capacity: number) {
    this.capacity = Math.max(1, Math.floor(capacity));
    this.#ring = new Array<AudioFrame | undefined>(this.capacity).fill(undefined);
  }

  get length(): number {
    return this.#length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  push(frame: AudioFrame): void {
    if (this.#closed) return;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter({ done: false, value: frame });
      return;
    }
    if (this.#length === this.capacity) {
      this.#ring[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.capacity;
      this.#length--;
      this.dropped++;
    }
    this.#ring[(this.#head + this.#length) % this.capacity] = frame;
    this.#length++;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.({ done: true, value: undefined });
  }

  #shift(): AudioFrame | undefined {
    if (this.#length === 0) return undefined;
    const frame = this.#ring[this.#head];
    this.#ring[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.capacity;
    this.#length--;
    return frame;
  }

  next(): Promise<IteratorResult<AudioFrame>> {
    const frame = this.#shift();
    if (frame !== undefined) return Promise.resolve({ done: false, value: frame });
    if (this.#closed) return Promise.resolve({ done: true, value: undefined });
    // A second concurrent reader would steal frames: the previous waiter is ended.
    this.#waiter?.({ done: true, value: undefined });
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<AudioFrame> {
    return {
      next: () => this.next(),
      return: () => {
        this.close();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }
}
