/**
 * Streaming (online) sherpa-onnx models decode synchronously (sherpa-onnx-node 1.13 has no async
 * online decode), so they run in one worker thread per loaded model: the event loop only posts audio
 * batches (transferred, not copied) and receives results. The worker holds the recognizer and one
 * native stream per utterance of each call, and handles messages in order, so each call's results
 * keep their order. If the worker dies, its calls fail (retryable) and the next call starts a new one.
 */
import { Worker } from "node:worker_threads";
import { ProviderError } from "../../../base/provider-retry.js";
import type { SherpaRecognizerConfig } from "./sherpa-onnx-model.js";

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

/** The worker's program (CommonJS, plain JavaScript: no TypeScript loader in worker threads). */
const workerProgram = `
const { parentPort, workerData } = require("node:worker_threads");
const sherpa = require(workerData.packagePath);
const recognizer = new sherpa.OnlineRecognizer(workerData.config);
const rateHz = workerData.config.featConfig.sampleRate;
const tail = new Float32Array(workerData.tailSamples);
const streams = new Map();
function decode(entry) {
  while (recognizer.isReady(entry.stream)) recognizer.decode(entry.stream);
  return recognizer.getResult(entry.stream).text.trim();
}
parentPort.on("message", (m) => {
  try {
    const entry = streams.get(m.id);
    if (m.op === "audio") {
      const e = entry || { stream: recognizer.createStream(), last: "" };
      streams.set(m.id, e);
      e.stream.acceptWaveform({ samples: m.samples, sampleRate: rateHz });
      const text = decode(e);
      if (text.length > 0 && text !== e.last) {
        e.last = text;
        parentPort.postMessage({ id: m.id, text, final: false });
      }
    } else if (m.op === "finalize") {
      let text = "";
      const e = m.samples ? entry || { stream: recognizer.createStream(), last: "" } : entry;
      if (e) {
        if (m.samples) e.stream.acceptWaveform({ samples: m.samples, sampleRate: rateHz });
        e.stream.acceptWaveform({ samples: tail, sampleRate: rateHz });
        e.stream.inputFinished();
        text = decode(e);
        streams.delete(m.id);
      }
      parentPort.postMessage({ id: m.id, text, final: true });
    } else if (m.op === "close") {
      streams.delete(m.id);
    }
  } catch (error) {
    streams.delete(m.id);
    parentPort.postMessage({ id: m.id, error: String((error && error.message) || error) });
  }
});
`;

export interface OnlineListener {
  result(text: string, final: boolean): void;
  fail(error: ProviderError): void;
}

/** One call's handle on the worker. */
export interface OnlineWorkerStream {
  /** Adds audio (model rate) and decodes what is ready; the array is transferred. */
  audio(samples: Float32Array): void;
  /**
   * Ends the utterance with its last audio (transferred; no partial for it): the final result
   * follows, and the next audio starts a new utterance.
   */
  finalize(samples?: Float32Array): void;
  close(): void;
}

export class SherpaOnlineWorker {
  readonly #packagePath: string;
  readonly #config: SherpaRecognizerConfig;
  readonly #tailSamples: number;
  readonly #listeners = new Map<number, OnlineListener>();
  #worker: Worker | undefined;
  #nextId = 1;

  constructor(packagePath: string, config: SherpaRecognizerConfig, tailSamples: number) {
    this.#packagePath = packagePath;
    this.#config = config;
    this.#tailSamples = tailSamples;
    this.#worker = this.#start();
  }

  /** Streams open now (for tests and metrics). */
  get openStreams(): number {
    return this.#listeners.size;
  }

  open(listener: OnlineListener): OnlineWorkerStream {
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
    const worker = new Worker(workerProgram, {
      eval: true,
      workerData: { packagePath: this.#packagePath, config: this.#config, tailSamples: this.#tailSamples },
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
