/**
 * One call's recognition with sherpa-onnx: 20 ms frames at the call's rate are resampled to the
 * model's 16 kHz with our own resampler, batched, and posted to the model's worker thread
 * (sherpa-onnx-worker.ts), which decodes them; partial and final results come back in order through
 * one channel, and a failure is one RingagentError, then the end. The event loop does no decoding
 * and no feature extraction.
 */
import { type AudioFrame, Resampler, type ResamplerRateHz, resamplerRates } from "../../../../media/index.js";
import { RingagentError } from "../../../../shared/index.js";
import { AsyncChannel } from "../../../base/async-channel.js";
import { ProviderError } from "../../../base/provider-retry.js";
import type { SttResult, SttStream, SttStreamOptions } from "../../stt-types.js";
import { sherpaModelRateHz } from "./sherpa-onnx-model.js";
import type { SherpaWorker, WorkerStream } from "./sherpa-onnx-worker.js";

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

export class SherpaSttStream implements SttStream {
  readonly #input: ModelInput;
  readonly #batchSamples: number;
  readonly #worker: WorkerStream;
  readonly #channel = new AsyncChannel<SttResult | RingagentError>();
  #pending: Float32Array[] = [];
  #pendingSamples = 0;
  #closed = false;
  #failed = false;

  /** `batchMs`: audio per message to the worker (streaming models decode each batch). */
  constructor(worker: SherpaWorker, options: SttStreamOptions, batchMs: number) {
    this.#input = new ModelInput(options.sampleRateHz);
    this.#batchSamples = (batchMs * sherpaModelRateHz) / 1000;
    this.#worker = worker.open({
      result: (text, final) => {
        if (!this.#closed && !this.#failed) this.#channel.push({ text, final });
      },
      fail: (error) => this.#fail(error),
    });
    if (options.signal.aborted) this.close();
    else options.signal.addEventListener("abort", () => this.close(), { once: true });
  }

  write(frame: AudioFrame): void {
    if (this.#closed || this.#failed) return;
    let samples: Float32Array;
    try {
      samples = this.#input.process(frame);
    } catch (error) {
      this.#fail(error);
      return;
    }
    this.#pending.push(samples);
    this.#pendingSamples += samples.length;
    if (this.#pendingSamples >= this.#batchSamples) this.#worker.audio(this.#take());
  }

  finalize(): void {
    if (this.#closed || this.#failed) return;
    this.#worker.finalize(this.#pendingSamples > 0 ? this.#take() : undefined);
  }

  async *results(): AsyncIterable<SttResult> {
    for (;;) {
      const item = await this.#channel.next();
      if (item === undefined) return;
      if (item instanceof RingagentError) throw item;
      yield item;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending = [];
    this.#pendingSamples = 0;
    this.#worker.close();
    this.#channel.close();
  }

  /** The pending audio as one array with its own buffer (it is transferred to the worker). */
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

  #fail(error: unknown): void {
    if (this.#failed || this.#closed) return;
    this.#failed = true;
    this.#worker.close();
    this.#channel.push(
      error instanceof RingagentError
        ? error
        : new ProviderError(provider, "stt_sherpa_failed", "sherpa-onnx decoding failed", { cause: error }),
    );
    this.#channel.close();
  }
}
