import type { Clock, Timer } from "../../shared/index.js";
import type { FrameQueue } from "../frames/frame-queue.js";
import type { PipelineTimerKind } from "../frames/pipeline-frame.js";

/**
 * The pipeline's timers, one per kind. A timer fires as a `timer` frame on the queue; re-arming or
 * cancelling a kind makes an already-queued frame of the old serial stale, so {@link claim} drops it.
 */
export class PipelineTimers {
  readonly #clock: Clock;
  readonly #queue: FrameQueue;
  readonly #timers = new Map<PipelineTimerKind, { serial: number; timer: Timer }>();
  #serial = 0;

  constructor(clock: Clock, queue: FrameQueue) {
    this.#clock = clock;
    this.#queue = queue;
  }

  /** (Re-)arms the timer of this kind. */
  set(kind: PipelineTimerKind, delayMs: number): void {
    this.cancel(kind);
    const serial = ++this.#serial;
    const timer = this.#clock.setTimer(delayMs, () =>
      this.#queue.push({ kind: "timer", timer: kind, serial }),
    );
    this.#timers.set(kind, { serial, timer });
  }

  cancel(kind: PipelineTimerKind): void {
    this.#timers.get(kind)?.timer.cancel();
    this.#timers.delete(kind);
  }

  cancelAll(): void {
    for (const kind of [...this.#timers.keys()]) this.cancel(kind);
  }

  /** A `timer` frame arrived: true (and the timer is spent) when it is the current one of its kind. */
  claim(kind: PipelineTimerKind, serial: number): boolean {
    if (this.#timers.get(kind)?.serial !== serial) return false;
    this.#timers.delete(kind);
    return true;
  }
}
