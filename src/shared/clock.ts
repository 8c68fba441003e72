/**
 * Time source injected wherever timing matters (transactions, pacing, turn-taking), so that tests
 * drive time with {@link FakeClock} instead of sleeping.
 */
export interface Clock {
  /** Monotonic milliseconds since an arbitrary origin; never goes backwards. */
  nowMs(): number;
  /** Wall-clock milliseconds since the Unix epoch (for timestamps that leave the process). */
  epochMs(): number;
  /** Runs `fn` once after `delayMs`; the returned handle cancels it (idempotent). */
  setTimer(delayMs: number, fn: () => void): Timer;
}

export interface Timer {
  cancel(): void;
}

/** The real clock: `performance.now()` for monotonic time, Node timers for scheduling. */
export const systemClock: Clock = {
  nowMs: () => performance.now(),
  epochMs: () => Date.now(),
  setTimer(delayMs, fn) {
    const handle = setTimeout(fn, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(handle) };
  },
};

/** Resolves after `delayMs` on `clock`; rejects with the signal's reason when aborted. */
export function sleep(clock: Clock, delayMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      timer.cancel();
      reject(signal?.reason);
    };
    const timer = clock.setTimer(delayMs, () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
