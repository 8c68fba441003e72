import { AbortedError } from "../../shared/index.js";

/** A one-consumer async queue: `next()` waits for an item; undefined once closed and drained. */
export class AsyncChannel<T> {
  readonly #items: T[] = [];
  #closed = false;
  #waiter: ((value: T | undefined) => void) | undefined;

  push(item: T): void {
    if (this.#closed) return;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter(item);
    } else {
      this.#items.push(item);
    }
  }

  close(): void {
    this.#closed = true;
    if (this.#items.length === 0) {
      const waiter = this.#waiter;
      this.#waiter = undefined;
      waiter?.(undefined);
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  next(signal?: AbortSignal): Promise<T | undefined> {
    if (this.#items.length > 0) return Promise.resolve(this.#items.shift());
    if (this.#closed) return Promise.resolve(undefined);
    if (signal?.aborted) return Promise.reject(signal.reason ?? new AbortedError());
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiter = undefined;
        reject(signal?.reason ?? new AbortedError());
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiter = (value) => {
        signal?.removeEventListener("abort", onAbort);
        resolve(value);
      };
    });
  }
}
