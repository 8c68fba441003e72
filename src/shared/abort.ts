import { RingagentError } from "./errors.js";

/** Error used as the reason when an operation is cancelled by its owner. */
export class AbortedError extends RingagentError {
  constructor(what = "operation") {
    super("aborted", `${what} was aborted`);
  }
}

/** Throws the signal's reason when it is already aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new AbortedError();
}

/**
 * A set of pending waiters that one idempotent {@link Deferreds.fail} rejects together, so
 * that closing an owner never leaves a promise hanging.
 */
export class Deferreds<T> {
  #pending = new Set<{ resolve: (v: T) => void; reject: (e: unknown) => void }>();
  #failure: unknown;

  wait(): Promise<T> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise<T>((resolve, reject) => {
      this.#pending.add({ resolve, reject });
    });
  }

  resolveAll(value: T): void {
    const pending = [...this.#pending];
    this.#pending.clear();
    for (const p of pending) p.resolve(value);
  }

  fail(error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    const pending = [...this.#pending];
    this.#pending.clear();
    for (const p of pending) p.reject(error);
  }
}
