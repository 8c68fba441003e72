import type { SttProvider, SttStream, SttStreamOptions } from "../../stt-types.js";
import {
  loadSherpaAddon,
  type ProbeOptions,
  probeSherpaModel,
  sherpaPackagePath,
} from "./sherpa-onnx-addon.js";
import {
  resolveSherpaModel,
  type SherpaModel,
  type SherpaModelOptions,
  sherpaModelRateHz,
} from "./sherpa-onnx-model.js";
import { SherpaSttStream } from "./sherpa-onnx-streams.js";
import { SherpaWorker } from "./sherpa-onnx-worker.js";

export interface SherpaOnnxSttOptions extends SherpaModelOptions {
  /**
   * Partial results every this much audio. Streaming models decode at this pace (default 100);
   * offline models re-decode the utterance so far for each partial (default 0 = final only).
   */
  readonly partialEveryMs?: number;
  /** Check the model in a child process before loading it here (default true; see sherpa-onnx-addon.ts). */
  readonly probe?: boolean | ProbeOptions;
}

/** Silence fed at the end of an utterance so a streaming model emits its last tokens (lookahead). */
const tailPaddingSamples = (300 * sherpaModelRateHz) / 1000;

const offlineBatchMs = 100;

export const defaultSherpaPartialEveryMs = { online: 100, offline: 0 } as const;

/**
 * Offline speech recognition with sherpa-onnx (next-gen Kaldi) through its prebuilt Node package.
 * Construction finds the model in `modelDir` (type from its files and ONNX metadata), checks it in a
 * child process and loads it in a worker thread: every problem is a typed error at startup, never at
 * the first call. One recognizer serves every call (each call has its own native stream); features
 * and decoding run in the worker (offline models on the libuv thread pool from there), never on the
 * event loop.
 */
export class SherpaOnnxSttProvider implements SttProvider {
  readonly name = "sherpa-onnx";
  readonly model: SherpaModel;
  readonly #worker: SherpaWorker;
  readonly #batchMs: number;

  constructor(options: SherpaOnnxSttOptions) {
    this.model = resolveSherpaModel(options);
    // Fails early with the fix when the package or its native library is missing.
    loadSherpaAddon();
    if (options.probe !== false)
      probeSherpaModel(this.model, options.probe === true ? {} : (options.probe ?? {}));
    const partialEveryMs =
      options.partialEveryMs ?? defaultSherpaPartialEveryMs[this.model.streaming ? "online" : "offline"];
    this.#worker = new SherpaWorker({
      packagePath: sherpaPackagePath(),
      model: this.model,
      tailSamples: tailPaddingSamples,
      partialEverySamples: this.model.streaming ? 0 : (partialEveryMs * sherpaModelRateHz) / 1000,
    });
    // Streaming models decode each batch; offline ones only buffer it (100 ms per message).
    this.#batchMs = this.model.streaming ? partialEveryMs : Math.max(partialEveryMs, offlineBatchMs);
  }

  open(options: SttStreamOptions): SttStream {
    return new SherpaSttStream(this.#worker, options, this.#batchMs);
  }

  /** Stops the model's worker thread (process shutdown); open calls fail, a later call restarts it. */
  close(): void {
    this.#worker.close();
  }
}

const loaded = new Map<string, SherpaOnnxSttProvider>();

/** One provider (one loaded model) per distinct options in this process, shared by the agents using it. */
export function sharedSherpaOnnxSttProvider(options: SherpaOnnxSttOptions): SherpaOnnxSttProvider {
  const key = JSON.stringify([
    options.modelDir,
    options.modelType,
    options.numThreads,
    options.partialEveryMs,
  ]);
  let provider = loaded.get(key);
  if (provider === undefined) {
    provider = new SherpaOnnxSttProvider(options);
    loaded.set(key, provider);
  }
  return provider;
}
