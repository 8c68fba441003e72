/**
 * Fallback between configured providers of the same kind (LLM, TTS): each request goes to the first
 * healthy provider, with its own retries (the retry base); on a non-retryable error or exhausted
 * retries before anything was produced, the next provider gets the request. A provider that failed
 * is tried last for `retryFailedAfterMs`, then first again. Once a provider has produced output the
 * request stays with it (repeating tokens or audio would be worse than an error).
 *
 * Retry budget: the inner policy defaults to 2 attempts with a 2 s first-item deadline, so the
 * fallback answers before the pipeline's own deadline; run the pipeline's retry with attempts: 1
 * and a first-item deadline at least (providers x attempts x 2 s) when these wrappers are used.
 */
import { AbortedError, type Clock, type RingagentError } from "../../shared/index.js";
import { asRingagentError, ProviderError, type RetryPolicy, retryingStream } from "../base/provider-retry.js";
import type { LlmEvent, LlmProvider, LlmRequest } from "../llm/llm-types.js";
import type { TtsChunk, TtsProvider, TtsRequest } from "../tts/tts-types.js";

export interface FallbackOptions {
  readonly clock: Clock;
  /** Retries per provider before switching (default attempts 2, first item within 2 s). */
  readonly policy?: Partial<RetryPolicy>;
  readonly retryFailedAfterMs?: number;
  /** Called when a provider failed and the next one gets the request (for logs and metrics). */
  readonly onSwitch?: (from: string, to: string, error: RingagentError) => void;
}

export const defaultFallbackPolicy = {
  attempts: 2,
  firstItemTimeoutMs: 2000,
} as const satisfies Partial<RetryPolicy>;

/** Orders providers (healthy first) and streams from the first that works. */
export class FallbackChain<P extends { readonly name: string }> {
  readonly providers: readonly P[];
  readonly #o: FallbackOptions;
  readonly #failedAtMs: (number | undefined)[];

  constructor(providers: readonly P[], options: FallbackOptions) {
    if (providers.length === 0) throw new RangeError("a fallback chain needs at least one provider");
    this.providers = providers;
    this.#o = options;
    this.#failedAtMs = providers.map(() => undefined);
  }

  /** The provider the next request goes to first. */
  get current(): P {
    return this.providers[this.#order()[0] ?? 0] as P;
  }

  #order(): number[] {
    const now = this.#o.clock.nowMs();
    const cooling = (i: number): boolean => {
      const at = this.#failedAtMs[i];
      return at !== undefined && now - at < (this.#o.retryFailedAfterMs ?? 30_000);
    };
    const indexes = this.providers.map((_, i) => i);
    return [...indexes.filter((i) => !cooling(i)), ...indexes.filter((i) => cooling(i))];
  }

  async *stream<T>(open: (provider: P) => AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
    const order = this.#order();
    let last: RingagentError | undefined;
    for (let k = 0; k < order.length; k++) {
      const index = order[k] ?? 0;
      const provider = this.providers[index] as P;
      let produced = false;
      try {
        const inner = retryingStream(() => open(provider), {
          provider: provider.name,
          clock: this.#o.clock,
          signal,
          policy: { ...defaultFallbackPolicy, ...this.#o.policy },
        });
        for await (const item of inner) {
          produced = true;
          yield item;
        }
        this.#failedAtMs[index] = undefined;
        return;
      } catch (thrown) {
        if (signal.aborted) throw signal.reason ?? new AbortedError(provider.name);
        const error = asRingagentError(provider.name, thrown);
        if (produced) throw error;
        this.#failedAtMs[index] = this.#o.clock.nowMs();
        last = error;
        const next = order[k + 1];
        if (next !== undefined) this.#o.onSwitch?.(provider.name, this.providers[next]?.name ?? "", error);
      }
    }
    throw new ProviderError(this.current.name, "provider_all_failed", "every configured provider failed", {
      cause: last,
    });
  }
}

export class FallbackLlmProvider implements LlmProvider {
  readonly #chain: FallbackChain<LlmProvider>;

  constructor(providers: readonly LlmProvider[], options: FallbackOptions) {
    this.#chain = new FallbackChain(providers, options);
  }

  get name(): string {
    return this.#chain.current.name;
  }

  stream(request: LlmRequest): AsyncIterable<LlmEvent> {
    return this.#chain.stream((p) => p.stream(request), request.signal);
  }
}

export class FallbackTtsProvider implements TtsProvider {
  readonly #chain: FallbackChain<TtsProvider>;

  constructor(providers: readonly TtsProvider[], options: FallbackOptions) {
    this.#chain = new FallbackChain(providers, options);
  }

  get name(): string {
    return this.#chain.current.name;
  }

  /** The voice of the provider that will speak next (so cache keys follow a switch). */
  get voice(): string {
    return `${this.#chain.current.name}:${this.#chain.current.voice}`;
  }

  synthesize(request: TtsRequest): AsyncIterable<TtsChunk> {
    return this.#chain.stream((p) => p.synthesize(request), request.signal);
  }
}
