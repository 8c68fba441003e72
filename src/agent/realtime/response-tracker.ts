/**
 * Whether the model is in the middle of a response (asked for, or audio/tool calls arriving) and a
 * way to wait for its end: tools that act after "what is being said" (transfer, send_dtmf,
 * end_call) wait for the response to be done before waiting for the playout.
 */
export class ResponseTracker {
  #open = false;
  #waiters: Array<() => void> = [];

  get isOpen(): boolean {
    return this.#open;
  }

  open(): void {
    this.#open = true;
  }

  /** The response is done (or the call ended): every waiter goes on. */
  close(): void {
    this.#open = false;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves at once when no response is running, else when it is done, aborted or after `maxWaitMs`. */
  async done(signal: AbortSignal, maxWaitMs = 15_000): Promise<void> {
    if (!this.#open || signal.aborted) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(finish, maxWaitMs);
      function finish(): void {
        clearTimeout(timer);
        signal.removeEventListener("abort", finish);
        resolve();
      }
      signal.addEventListener("abort", finish, { once: true });
      this.#waiters.push(finish);
    });
  }
}
