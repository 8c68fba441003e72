/**
 * A recognition that survives its provider: when the stream of one STT provider fails, a new one is
 * opened (the same provider again for a retryable error, up to `reconnects` times in a row, honouring
 * Retry-After; otherwise the next configured provider) and the caller audio of every utterance whose
 * final has not come yet is replayed into it, with its finalize marks, so no final is lost or
 * doubled. The pipeline still sees one stream and one final per finalize().
 */
import type { AudioFrame } from "../../media/index.js";
import { type Clock, RingagentError, sleep } from "../../shared/index.js";
import { AsyncChannel } from "../base/async-channel.js";
import { asRingagentError, ProviderError } from "../base/provider-retry.js";
import type { SttProvider, SttResult, SttStream, SttStreamOptions } from "../stt/stt-types.js";

export interface FallbackSttOptions {
  readonly clock: Clock;
  /** Reopens of the same provider in a row for retryable errors (default 2). */
  readonly reconnects?: number;
  readonly baseDelayMs?: number;
  /** Waits longer than this (Retry-After) switch provider instead (default 3000). */
  readonly maxRetryAfterMs?: number;
  /** Audio kept for replay per stream (default 15 000 ms). */
  readonly maxReplayMs?: number;
  readonly onSwitch?: (from: string, to: string, error: RingagentError) => void;
}

interface Segment {
  frames: AudioFrame[];
  finalized: boolean;
}

export class FallbackSttProvider implements SttProvider {
  readonly name: string;
  readonly #providers: readonly SttProvider[];
  readonly #o: FallbackSttOptions;

  constructor(providers: readonly SttProvider[], options: FallbackSttOptions) {
    if (providers.length === 0) throw new RangeError("a fallback needs at least one provider");
    this.name = providers[0]?.name ?? "stt";
    this.#providers = providers;
    this.#o = options;
  }

  open(options: SttStreamOptions): SttStream {
    return new FallbackSttStream(this.#providers, this.#o, options);
  }
}

class FallbackSttStream implements SttStream {
  readonly #providers: readonly SttProvider[];
  readonly #o: FallbackSttOptions;
  readonly #options: SttStreamOptions;
  readonly #out = new AsyncChannel<SttResult | RingagentError>();
  readonly #segments: Segment[] = [{ frames: [], finalized: false }];
  readonly #maxReplayFrames: number;
  #index = 0;
  #inner: SttStream | undefined;
  #closed = false;

  constructor(providers: readonly SttProvider[], o: FallbackSttOptions, options: SttStreamOptions) {
    this.#providers = providers;
    this.#o = o;
    this.#options = options;
    this.#maxReplayFrames = Math.ceil((o.maxReplayMs ?? 15_000) / 20);
    void this.#run();
  }

  write(frame: AudioFrame): void {
    if (this.#closed) return;
    const current = this.#segments.at(-1) as Segment;
    current.frames.push(frame);
    if (current.frames.length > this.#maxReplayFrames) current.frames.shift();
    this.#inner?.write(frame);
  }

  finalize(): void {
    if (this.#closed) return;
    (this.#segments.at(-1) as Segment).finalized = true;
    this.#segments.push({ frames: [], finalized: false });
    this.#inner?.finalize();
  }

  async *results(): AsyncIterable<SttResult> {
    for (;;) {
      const item = await this.#out.next();
      if (item === undefined) return;
      if (item instanceof RingagentError) throw item;
      yield item;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#inner?.close();
    this.#inner = undefined;
    this.#out.close();
  }

  async #run(): Promise<void> {
    let reconnects = 0;
    for (;;) {
      const provider = this.#providers[this.#index] as SttProvider;
      const inner = provider.open(this.#options);
      this.#inner = inner;
      for (const segment of this.#segments) {
        for (const frame of segment.frames) inner.write(frame);
        if (segment.finalized) inner.finalize();
      }
      try {
        for await (const result of inner.results()) {
          reconnects = 0;
          if (result.final) {
            const done = this.#segments.findIndex((s) => s.finalized);
            if (done >= 0) this.#segments.splice(done, 1);
          }
          this.#out.push(result);
        }
        if (!this.#closed) this.close(); // the provider ended the stream: so do we
        return;
      } catch (thrown) {
        inner.close();
        this.#inner = undefined;
        if (this.#closed || this.#options.signal.aborted) return;
        const error = asRingagentError(provider.name, thrown);
        const retryAfterMs = error instanceof ProviderError ? (error.retryAfterMs ?? 0) : 0;
        const again =
          error.retryable &&
          reconnects < (this.#o.reconnects ?? 2) &&
          retryAfterMs <= (this.#o.maxRetryAfterMs ?? 3000);
        if (again) {
          reconnects++;
          const delayMs = Math.max(retryAfterMs, (this.#o.baseDelayMs ?? 100) * 2 ** (reconnects - 1));
          try {
            await sleep(this.#o.clock, delayMs, this.#options.signal);
          } catch {
            return;
          }
          if (this.#closed) return;
        } else if (this.#index + 1 < this.#providers.length) {
          this.#index++;
          reconnects = 0;
          this.#o.onSwitch?.(provider.name, this.#providers[this.#index]?.name ?? "", error);
        } else {
          this.#out.push(error);
          this.close();
          return;
        }
      }
    }
  }
}
