/**
 * The two ways a call's audio runs through a sherpa-onnx recognizer. Both take 20 ms frames at the
 * call's rate, resample 8 kHz to the model's 16 kHz with our own resampler, and yield partial and
 * final results in order through one channel; a failure is one RingagentError, then the end.
 *   offline models: the utterance is buffered and decoded at finalize() on the libuv thread pool
 *     (decodeAsync), optionally re-decoded every `partialEveryMs` for partials;
 *   online (streaming) models: audio goes in `partialEveryMs` batches to the model's worker thread
 *     (sherpa-onnx-online-worker.ts), which decodes it, sends partials, and at finalize() flushes
 *     the utterance (input finished) for the final; the next audio starts a fresh native stream.
 */
import { type AudioFrame, Resampler, type ResamplerRateHz, resamplerRates } from "../../../../media/index.js";
import { RingagentError } from "../../../../shared/index.js";
import { AsyncChannel } from "../../../base/async-channel.js";
import { ProviderError } from "../../../base/provider-retry.js";
import type { SttResult, SttStream, SttStreamOptions } from "../../stt-types.js";
import type { SherpaOfflineRecognizer } from "./sherpa-onnx-addon.js";
import { sherpaModelRateHz } from "./sherpa-onnx-model.js";
import type { OnlineWorkerStream, SherpaOnlineWorker } from "./sherpa-onnx-online-worker.js";

const provider = "sherpa-onnx";

/** Frames at the call's rate -> float samples at the model's rate. */
class ModelInput {
  readonly #resampler: Resampler | undefined;

  constructor(sampleRateHz: number) {
    if (sampleRateHz === sherpaModelRateHz) return;
    if (!resamplerRates.includes(sampleRateHz as ResamplerRateHz)) {
      throw new RingagentError(
        "stt_sherpa_rate_unsupported",
        `sherpa-onnx: audio at ${sampleRateHz} Hz is not supported (use ${resamplerRates.join(", ")})`,
      );
    }
    this.#resampler = new Resampler(sampleRateHz as ResamplerRateHz, sherpaModelRateHz);
  }

  process(frame: AudioFrame): Float32Array {
    const pcm = this.#resampler === undefined ? frame.samples : this.#resampler.process(frame).samples;
    const out = new Float32Array(pcm.length);
    for (let i = 0; i < pcm.length; i++) out[i] = (pcm[i] ?? 0) / 32768;
    return out;
  }
}

/** The channel, close and failure handling both streams share. */
abstract class SherpaStreamBase implements SttStream {
  protected readonly input: ModelInput;
  protected readonly partialEverySamples: number;
  readonly #channel = new AsyncChannel<SttResult | RingagentError>();
  protected closed = false;
  protected failed = false;

  constructor(options: SttStreamOptions, partialEveryMs: number) {
    this.input = new ModelInput(options.sampleRateHz);
    this.partialEverySamples = (partialEveryMs * sherpaModelRateHz) / 1000;
  }

  /** Closes on the call's abort; subclasses call it last in their constructor (fields are set). */
  protected closeOnAbort(signal: AbortSignal): void {
    if (signal.aborted) this.close();
    else signal.addEventListener("abort", () => this.close(), { once: true });
  }

  abstract write(frame: AudioFrame): void;
  abstract finalize(): void;

  async *results(): AsyncIterable<SttResult> {
    for (;;) {
      const item = await this.#channel.next();
      if (item === undefined) return;
      if (item instanceof RingagentError) throw item;
      yield item;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.released();
    this.#channel.close();
  }

  /** Drops buffered audio and native streams (after close). */
  protected abstract released(): void;

  protected get active(): boolean {
    return !this.closed && !this.failed;
  }

  protected emit(result: SttResult): void {
    if (!this.closed && !this.failed) this.#channel.push(result);
  }

  protected fail(error: unknown): void {
    if (this.failed || this.closed) return;
    this.failed = true;
    this.#channel.push(
      error instanceof RingagentError
        ? error
        : new ProviderError(provider, "stt_sherpa_failed", "sherpa-onnx decoding failed", { cause: error }),
    );
    this.#channel.close();
  }
}

export class SherpaOfflineSttStream extends SherpaStreamBase {
  readonly #recognizer: SherpaOfflineRecognizer;
  #chunks: Float32Array[] = [];
  #samples = 0;
  #samplesSincePartial = 0;
  #partialQueued = false;
  #lastPartial = "";
  /** Counts finalize() calls: a queued partial of an utterance already finalized is dropped. */
  #utterance = 0;
  /** Decodes run one at a time, in order (a partial never lands after its utterance's final). */
  #chain: Promise<void> = Promise.resolve();

  constructor(recognizer: SherpaOfflineRecognizer, options: SttStreamOptions, partialEveryMs: number) {
    super(options, partialEveryMs);
    this.#recognizer = recognizer;
    this.closeOnAbort(options.signal);
  }

  write(frame: AudioFrame): void {
    if (!this.active) return;
    const samples = this.input.process(frame);
    this.#chunks.push(samples);
    this.#samples += samples.length;
    this.#samplesSincePartial += samples.length;
    if (
      this.partialEverySamples > 0 &&
      this.#samplesSincePartial >= this.partialEverySamples &&
      !this.#partialQueued
    ) {
      this.#samplesSincePartial = 0;
      this.#partialQueued = true;
      const utterance = this.#utterance;
      this.#then(async () => {
        this.#partialQueued = false;
        if (this.#samples === 0 || utterance !== this.#utterance) return;
        const text = await this.#decode(this.#joined());
        if (utterance !== this.#utterance) return;
        if (text.length > 0 && text !== this.#lastPartial) {
          this.#lastPartial = text;
          this.emit({ text, final: false });
        }
      });
    }
  }

  finalize(): void {
    if (!this.active) return;
    const audio = this.#joined();
    this.#utterance++;
    this.#chunks = [];
    this.#samples = 0;
    this.#samplesSincePartial = 0;
    this.#then(async () => {
      const text = audio.length === 0 ? "" : await this.#decode(audio);
      this.#lastPartial = "";
      this.emit({ text, final: true });
    });
  }

  protected released(): void {
    this.#chunks = [];
    this.#samples = 0;
  }

  async #decode(audio: Float32Array): Promise<string> {
    const stream = this.#recognizer.createStream();
    stream.acceptWaveform({ samples: audio, sampleRate: sherpaModelRateHz });
    const result = await this.#recognizer.decodeAsync(stream);
    return result.text.trim();
  }

  #joined(): Float32Array {
    if (this.#chunks.length === 1 && this.#chunks[0] !== undefined) return this.#chunks[0];
    const out = new Float32Array(this.#samples);
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    this.#chunks = [out];
    return out;
  }

  #then(step: () => Promise<void>): void {
    this.#chain = this.#chain.then(async () => {
      if (this.active) await step();
    });
    this.#chain.catch((error: unknown) => this.fail(error));
  }
}

export class SherpaOnlineSttStream extends SherpaStreamBase {
  readonly #worker: OnlineWorkerStream;
  #pending: Float32Array[] = [];
  #pendingSamples = 0;

  constructor(worker: SherpaOnlineWorker, options: SttStreamOptions, partialEveryMs: number) {
    super(options, partialEveryMs);
    this.#worker = worker.open({
      result: (text, final) => this.emit({ text, final }),
      fail: (error) => this.fail(error),
    });
    this.closeOnAbort(options.signal);
  }

  write(frame: AudioFrame): void {
    if (!this.active) return;
    const samples = this.input.process(frame);
    this.#pending.push(samples);
    this.#pendingSamples += samples.length;
    if (this.#pendingSamples >= this.partialEverySamples) this.#worker.audio(this.#take());
  }

  finalize(): void {
    if (!this.active) return;
    this.#worker.finalize(this.#pendingSamples > 0 ? this.#take() : undefined);
  }

  protected released(): void {
    this.#pending = [];
    this.#pendingSamples = 0;
    this.#worker.close();
  }

  /** The pending audio as one array (its own buffer: it is transferred to the worker). */
  #take(): Float32Array {
    const batch = new Float32Array(this.#pendingSamples);
    let at = 0;
    for (const p of this.#pending) {
      batch.set(p, at);
      at += p.length;
    }
    this.#pending = [];
    this.#pendingSamples = 0;
    return batch;
  }
}
