/**
 * RTP datagrams a media session received since its last pacer sub-tick, with their arrival times.
 * On arrival only the datagram is kept; SRTP, parsing and the jitter buffer run in the sub-tick's
 * receive work, after its sends, so a burst of arrivals does not hold up the next sub-tick's sends
 * (frames are handed to the pipeline at sub-ticks anyway, so caller audio is not later). Fixed
 * capacity, no allocation per datagram; a full queue is worked at once.
 */
import type { RemoteInfo } from "node:dgram";

export type ReceivedDatagramHandler = (msg: Buffer, source: RemoteInfo, arrivalMs: number) => void;

export class ReceivedDatagramQueue {
  readonly #msgs: (Buffer | undefined)[];
  readonly #sources: (RemoteInfo | undefined)[];
  readonly #arrivalMs: Float64Array;
  #count = 0;

  constructor(readonly capacity = 32) {
    this.#msgs = new Array<Buffer | undefined>(capacity).fill(undefined);
    this.#sources = new Array<RemoteInfo | undefined>(capacity).fill(undefined);
    this.#arrivalMs = new Float64Array(capacity);
  }

  get length(): number {
    return this.#count;
  }

  /** Queues a datagram; when the queue is full, `handle` first works through what it holds. */
  push(msg: Buffer, source: RemoteInfo, arrivalMs: number, handle: ReceivedDatagramHandler): void {
    if (this.#count === this.capacity) this.drain(handle);
    const i = this.#count;
    this.#msgs[i] = msg;
    this.#sources[i] = source;
    this.#arrivalMs[i] = arrivalMs;
    this.#count = i + 1;
  }

  /** Hands every queued datagram to `handle` in arrival order and empties the queue. */
  drain(handle: ReceivedDatagramHandler): void {
    const count = this.#count;
    this.#count = 0;
    for (let i = 0; i < count; i++) {
      const msg = this.#msgs[i];
      const source = this.#sources[i];
      this.#msgs[i] = undefined;
      this.#sources[i] = undefined;
      if (msg !== undefined && source !== undefined) handle(msg, source, this.#arrivalMs[i] ?? 0);
    }
  }

  /** Drops everything queued (the session closed). */
  clear(): void {
    this.#count = 0;
    this.#msgs.fill(undefined);
    this.#sources.fill(undefined);
  }
}
