/**
 * The one place where provider calls are retried and timed out (STT, LLM and TTS alike). A stream
 * is retried only before its first item: once audio or tokens have been used, a retry would repeat
 * them. Only errors marked `retryable` are retried; everything else surfaces at once.
 */
import { AbortedError, type Clock, RingagentError, sleep } from "../../shared/index.js";

export interface RetryPolicy {
  /** Attempts in all (1 = no retry). */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Deadline for the first item of each attempt. */
  readonly firstItemTimeoutMs: number;
  /** Deadline between later items. */
  readonly idleTimeoutMs: number;
  /**
   * A server's Retry-After (ProviderError.retryAfterMs) is honoured up to this long; a longer wait
   * fails at once, so that a fallback provider can take over instead of leaving the caller in silence.
   */
  readonly maxRetryAfterMs: number;
}

export const defaultRetryPolicy = {
  attempts: 3,
  baseDelayMs: 100,
  maxDelayMs: 1000,
  firstItemTimeoutMs: 5000,
  idleTimeoutMs: 5000,
  maxRetryAfterMs: 3000,
} as const satisfies RetryPolicy;

export class ProviderError extends RingagentError {
  readonly provider: string;
  /** How long the server asked us to wait before retrying (HTTP Retry-After), when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(
    provider: string,
    code: string,
    message: string,
    options: { retryable?: boolean; cause?: unknown; retryAfterMs?: number } = {},
  ) {
    super(code, message, options);
    this.provider = provider;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** A thrown value as a RingagentError (unknown errors are not retryable). */
export function asRingagentError(provider: string, error: unknown): RingagentError {
  if (error instanceof RingagentError) return error;
  return new ProviderError(provider, "provider_failed", `${provider} failed`, { cause: error });
}

type Next<T> = IteratorResult<T, unknown>;

async function nextWithTimeout<T>(
  iterator: AsyncIterator<T>,
  clock: Clock,
  timeoutMs: number,
  provider: string,
  signal: AbortSignal,
): Promise<Next<T>> {
  let timer: { cancel(): void } | undefined;
  let onAbort: (() => void) | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = clock.setTimer(timeoutMs, () =>
      reject(new ProviderError(provider, "provider_timeout", `${provider} timed out`, { retryable: true })),
    );
    onAbort = () => reject(signal.reason ?? new AbortedError(provider));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([iterator.next(), guard]);
  } finally {
    timer?.cancel();
    if (onAbort !== undefined) signal.removeEventListener("abort", onAbort);
  }
}

export interface RetryContext {
  readonly provider: string;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly policy?: Partial<RetryPolicy>;
  /** Called before each retry (for metrics); never for the first attempt. */
  readonly onRetry?: (attempt: number, error: RingagentError) => void;
}

/** Wraps a stream factory with timeouts and retries-before-first-item. */
export async function* retryingStream<T>(
  open: () => AsyncIterable<T>,
  context: RetryContext,
): AsyncGenerator<T> {
  const policy = { ...defaultRetryPolicy, ...context.policy };
  for (let attempt = 1; ; attempt++) {
    const iterator = open()[Symbol.asyncIterator]();
    let yielded = false;
    try {
      for (;;) {
        const timeoutMs = yielded ? policy.idleTimeoutMs : policy.firstItemTimeoutMs;
        const next = await nextWithTimeout(
          iterator,
          context.clock,
          timeoutMs,
          context.provider,
          context.signal,
        );
        if (next.done === true) return;
        yielded = true;
        yield next.value;
      }
    } catch (thrown) {
      if (context.signal.aborted) throw context.signal.reason ?? new AbortedError(context.provider);
      const error = asRingagentError(context.provider, thrown);
      if (yielded || !error.retryable || attempt >= policy.attempts) throw error;
      const retryAfterMs = error instanceof ProviderError ? (error.retryAfterMs ?? 0) : 0;
      if (retryAfterMs > policy.maxRetryAfterMs) throw error;
      context.onRetry?.(attempt, error);
      const backoffMs = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const delayMs = Math.max(backoffMs, retryAfterMs);
      await sleep(context.clock, delayMs, context.signal);
    } finally {
      // Tell the provider we are done with this attempt (closes sockets, kills processes).
      void iterator.return?.()?.catch(() => undefined);
    }
  }
}
