import type { SttProvider, SttStream, SttStreamOptions } from "../../stt-types.js";
import {
  loadSherpaAddon,
  type ProbeOptions,
  probeSherpaModel,
  type SherpaOfflineRecognizer,
  sherpaPackagePath,
} from "./sherpa-onnx-addon.js";
import {
  resolveSherpaModel,
  type SherpaModel,
  type SherpaModelOptions,
  sherpaModelRateHz,
} from "./sherpa-onnx-model.js";
import { SherpaOnlineWorker } from "./sherpa-onnx-online-worker.js";
import { SherpaOfflineSttStream, SherpaOnlineSttStream } from "./sherpa-onnx-streams.js";

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

export const defaultSherpaPartialEveryMs = { online: 100, offline: 0 } as const;

/**
 * Offline speech recognition with sherpa-onnx (next-gen Kaldi) through its prebuilt Node package.
 * Construction finds the model in `modelDir` (type from its files and ONNX metadata), checks it in a
 * child process and loads it: every problem is a typed error at startup, never at the first call.
 * One recognizer serves every call (each call has its own native stream); offline models decode on
 * the libuv thread pool, streaming models in a worker thread, so decoding never blocks the event loop.
 */
export class SherpaOnnxSttProvider implements SttProvider {
  readonly name = "sherpa-onnx";
  readonly model: SherpaModel;
  readonly #open: (options: SttStreamOptions) => SttStream;
  #close: () => void = () => {};

  constructor(options: SherpaOnnxSttOptions) {
    this.model = resolveSherpaModel(options);
    const addon = loadSherpaAddon();
    if (options.probe !== false)
      probeSherpaModel(this.model, options.probe === true ? {} : (options.probe ?? {}));
    const partialEveryMs =
      options.partialEveryMs ?? defaultSherpaPartialEveryMs[this.model.streaming ? "online" : "offline"];
    if (this.model.streaming) {
      const worker = new SherpaOnlineWorker(sherpaPackagePath(), this.model.config, tailPaddingSamples);
      this.#open = (o) => new SherpaOnlineSttStream(worker, o, partialEveryMs);
      this.#close = () => worker.close();
    } else {
      const recognizer: SherpaOfflineRecognizer = new addon.OfflineRecognizer(this.model.config);
      this.#open = (o) => new SherpaOfflineSttStream(recognizer, o, partialEveryMs);
    }
  }

  open(options: SttStreamOptions): SttStream {
    return this.#open(options);
  }

  /** Stops a streaming model's worker thread (process shutdown); offline models need nothing. */
  close(): void {
    this.#close();
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
