import type { Clock, Timer } from "./clock.js";

interface PendingTimer {
  readonly id: number;
  readonly dueMs: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/**
 * A {@link Clock} whose time moves only when a test calls {@link FakeClock.advance}. Timers fire in
 * due order (ties in creation order); timers created by a firing timer run in the same advance if due.
 */
export class FakeClock implements Clock {
  #nowMs: number;
  #epochOffsetMs: number;
  #nextId = 1;
  #pending: PendingTimer[] = [];

  constructor(options: { startMs?: number; epochMs?: number } = {}) {
    this.#nowMs = options.startMs ?? 0;
    this.#epochOffsetMs = (options.epochMs ?? Date.UTC(2026, 0, 1)) - this.#nowMs;
  }

  nowMs(): number {
    return this.#nowMs;
  }

  epochMs(): number {
    return this.#nowMs + this.#epochOffsetMs;
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    const timer: PendingTimer = {
      id: this.#nextId++,
      dueMs: this.#nowMs + Math.max(0, delayMs),
      fn,
      cancelled: false,
    };
    this.#pending.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Number of timers still waiting to fire. */
  get pendingTimers(): number {
    return this.#pending.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const targetMs = this.#nowMs + ms;
    for (;;) {
      this.#pending = this.#pending.filter((t) => !t.cancelled);
      let next: PendingTimer | undefined;
      for (const t of this.#pending) {
        if (
          t.dueMs <= targetMs &&
          (next === undefined || t.dueMs < next.dueMs || (t.dueMs === next.dueMs && t.id < next.id))
        ) {
          next = t;
        }
      }
      if (next === undefined) break;
      this.#pending = this.#pending.filter((t) => t !== next);
      this.#nowMs = Math.max(this.#nowMs, next.dueMs);
      next.fn();
    }
    this.#nowMs = targetMs;
  }

  /** Advances in steps, letting awaited promises settle between timers (for async code under test). */
  async advanceAsync(ms: number, stepMs = 1): Promise<void> {
    const targetMs = this.#nowMs + ms;
    while (this.#nowMs < targetMs) {
      this.advance(Math.min(stepMs, targetMs - this.#nowMs));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
