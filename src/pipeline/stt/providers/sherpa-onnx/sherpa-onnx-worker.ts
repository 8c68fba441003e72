/**
 * One worker thread per loaded sherpa-onnx model runs all of its calls' recognition (program in
 * sherpa-onnx-worker-program.ts). Streaming models decode synchronously (sherpa-onnx-node 1.13 has
 * no async online decode) and offline streams compute their features synchronously in
 * acceptWaveform, so neither may run on the event loop: it only posts audio batches (transferred,
 * not copied) and receives results. Messages are handled in order, so each call's results keep
 * their order. If the worker dies, its calls fail (retryable) and the next call starts a new one.
 */
import { Worker } from "node:worker_threads";
import { ProviderError } from "../../../base/provider-retry.js";
import type { SherpaModel } from "./sherpa-onnx-model.js";
import { sherpaWorkerProgram } from "./sherpa-onnx-worker-program.js";

/** Main -> worker. */
type Command =
  | { readonly op: "audio"; readonly id: number; readonly samples: Float32Array }
  | { readonly op: "finalize"; readonly id: number; readonly samples?: Float32Array }
  | { readonly op: "close"; readonly id: number };

/** Worker -> main. */
type Reply =
  | { readonly id: number; readonly text: string; readonly final: boolean }
  | { readonly id: number; readonly error: string };

function isReply(value: unknown): value is Reply {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  if (typeof v.id !== "number") return false;
  return (typeof v.text === "string" && typeof v.final === "boolean") || typeof v.error === "string";
}

export interface WorkerListener {
  result(text: string, final: boolean): void;
  fail(error: ProviderError): void;
}

/** One call's handle on the worker. */
export interface WorkerStream {
  /** Adds audio at the model's rate (streaming models decode it at once); the array is transferred. */
  audio(samples: Float32Array): void;
  /**
   * Ends the utterance with its last audio (transferred; no partial for it): the final result
   * follows, and the next audio starts a new utterance.
   */
  finalize(samples?: Float32Array): void;
  close(): void;
}

export interface SherpaWorkerOptions {
  readonly packagePath: string;
  readonly model: SherpaModel;
  /** Silence fed at the end of a streaming utterance (the model's lookahead). */
  readonly tailSamples: number;
  /** Offline models: re-decode the utterance so far after this much new audio (0 = never). */
  readonly partialEverySamples: number;
}

export class SherpaWorker {
  readonly #options: SherpaWorkerOptions;
  readonly #listeners = new Map<number, WorkerListener>();
  #worker: Worker | undefined;
  #nextId = 1;

  constructor(options: SherpaWorkerOptions) {
    this.#options = options;
    this.#worker = this.#start();
  }

  /** Streams open now (for tests and metrics). */
  get openStreams(): number {
    return this.#listeners.size;
  }

  open(listener: WorkerListener): WorkerStream {
    const worker = this.#worker ?? this.#start();
    this.#worker = worker;
    const id = this.#nextId++;
    this.#listeners.set(id, listener);
    // Referenced while calls wait on it; idle, it must not keep the process alive.
    worker.ref();
    const post = (command: Command, transfer: ArrayBuffer[] = []): void => {
      if (this.#worker === worker && this.#listeners.has(id)) worker.postMessage(command, transfer);
    };
    return {
      audio: (samples) => post({ op: "audio", id, samples }, [samples.buffer as ArrayBuffer]),
      finalize: (samples) =>
        samples === undefined
          ? post({ op: "finalize", id })
          : post({ op: "finalize", id, samples }, [samples.buffer as ArrayBuffer]),
      close: () => {
        post({ op: "close", id });
        this.#forget(id);
      },
    };
  }

  /** Stops the worker (process shutdown); open streams fail. */
  close(): void {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker !== undefined) void worker.terminate();
    this.#failAll(
      new ProviderError("sherpa-onnx", "stt_sherpa_closed", "the sherpa-onnx recognizer was closed"),
    );
  }

  #start(): Worker {
    const o = this.#options;
    const worker = new Worker(sherpaWorkerProgram, {
      eval: true,
      workerData: {
        packagePath: o.packagePath,
        config: o.model.config,
        streaming: o.model.streaming,
        tailSamples: o.tailSamples,
        partialEverySamples: o.partialEverySamples,
      },
    });
    worker.unref();
    worker.on("message", (message: unknown) => {
      if (!isReply(message)) return;
      const listener = this.#listeners.get(message.id);
      if (listener === undefined) return;
      if ("error" in message) {
        this.#forget(message.id);
        listener.fail(
          new ProviderError("sherpa-onnx", "stt_sherpa_failed", "sherpa-onnx decoding failed", {
            cause: new Error(message.error),
          }),
        );
      } else listener.result(message.text, message.final);
    });
    const dead = (cause: unknown): void => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      this.#failAll(
        new ProviderError("sherpa-onnx", "stt_sherpa_worker_died", "the sherpa-onnx worker stopped", {
          retryable: true,
          cause,
        }),
      );
    };
    worker.on("error", dead);
    worker.on("exit", (code) => dead(new Error(`worker exited with code ${code}`)));
    return worker;
  }

  #forget(id: number): void {
    this.#listeners.delete(id);
    if (this.#listeners.size === 0) this.#worker?.unref();
  }

  #failAll(error: ProviderError): void {
    const listeners = [...this.#listeners.values()];
    this.#listeners.clear();
    for (const l of listeners) l.fail(error);
  }
}
