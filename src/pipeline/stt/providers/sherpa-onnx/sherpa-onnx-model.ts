/**
 * Which sherpa-onnx model a folder holds, from its files and their ONNX metadata (the layout of the
 * released sherpa-onnx model archives):
 *   encoder*.onnx + decoder*.onnx + joiner*.onnx + tokens.txt   transducer; streaming when the
 *       encoder's metadata has icefall's streaming keys (`decode_chunk_len` / `T`), else offline
 *   one model*.onnx + tokens.txt with `model_type: zipformer2` and `decode_chunk_len`
 *       streaming zipformer2 CTC
 *   one model*.onnx + tokens.txt with `vocab_size` and `subsampling_factor`   offline NeMo CTC
 * When a folder has both `x.onnx` and `x.int8.onnx`, the int8 file is used (faster on CPU).
 * Every problem is a `stt_sherpa_model_invalid` RingagentError naming the folder and the fix.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { RingagentError } from "../../../../shared/index.js";
import { readOnnxMetadata } from "./onnx-metadata-reader.js";

export const sherpaModelTypes = [
  "online-transducer",
  "offline-transducer",
  "online-zipformer2-ctc",
  "offline-nemo-ctc",
] as const;
export type SherpaModelType = (typeof sherpaModelTypes)[number];

/** The recognizer configuration sherpa-onnx-node takes (OnlineRecognizerConfig / OfflineRecognizerConfig). */
export interface SherpaRecognizerConfig {
  readonly featConfig: { readonly sampleRate: number; readonly featureDim: number };
  readonly modelConfig: Readonly<Record<string, unknown>>;
  readonly decodingMethod: string;
  readonly [key: string]: unknown;
}

export interface SherpaModel {
  readonly dir: string;
  readonly type: SherpaModelType;
  /** Online models decode while the caller speaks; offline ones decode each utterance at its end. */
  readonly streaming: boolean;
  readonly config: SherpaRecognizerConfig;
}

export interface SherpaModelOptions {
  readonly modelDir: string;
  /** Skips detection (the files must still be there). */
  readonly modelType?: SherpaModelType;
  readonly numThreads?: number;
}

/** Sample rate of every sherpa-onnx ASR model's features (we resample 8 kHz calls up to it). */
export const sherpaModelRateHz = 16_000;

export const sherpaModelFix =
  "point stt.modelDir at an unpacked sherpa-onnx ASR model folder (e.g. a streaming zipformer transducer from https://github.com/k2-fsa/sherpa-onnx/releases/tag/asr-models: encoder/decoder/joiner .onnx files and tokens.txt)";

function invalid(dir: string, problem: string): RingagentError {
  return new RingagentError(
    "stt_sherpa_model_invalid",
    `sherpa-onnx model folder ${dir}: ${problem}; ${sherpaModelFix}`,
  );
}

/** The file's ONNX metadata; an unreadable file is an error that names the folder and the fix. */
function metadataOf(dir: string, file: string): ReadonlyMap<string, string> {
  try {
    return readOnnxMetadata(file);
  } catch (error) {
    throw error instanceof RingagentError ? invalid(dir, error.message) : error;
  }
}

/** The `.onnx` file for a role (name prefix), preferring `*.int8.onnx`; undefined when none. */
function pick(files: readonly string[], dir: string, prefix: string): string | undefined {
  const matching = files.filter((f) => f.startsWith(prefix) && f.endsWith(".onnx"));
  const int8 = matching.filter((f) => f.endsWith(".int8.onnx"));
  const choice = int8.length > 0 ? int8 : matching;
  if (choice.length > 1) {
    throw invalid(dir, `several ${prefix}*.onnx files (${choice.join(", ")}); keep one`);
  }
  return choice[0] === undefined ? undefined : join(dir, choice[0]);
}

const streamingKeys = ["decode_chunk_len", "T"];

/** Finds and checks the model in `options.modelDir` (synchronous: call it at startup). */
export function resolveSherpaModel(options: SherpaModelOptions): SherpaModel {
  const dir = options.modelDir;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw invalid(dir, "not found or not a folder");
  const files = readdirSync(dir).sort();
  const tokens = join(dir, "tokens.txt");
  if (!files.includes("tokens.txt")) throw invalid(dir, "tokens.txt is missing");
  const base = {
    tokens,
    numThreads: options.numThreads ?? 1,
    provider: "cpu",
    debug: 0,
  };
  const common = {
    featConfig: { sampleRate: sherpaModelRateHz, featureDim: 80 },
    decodingMethod: "greedy_search",
  };

  const encoder = pick(files, dir, "encoder");
  const decoder = pick(files, dir, "decoder");
  const joiner = pick(files, dir, "joiner");
  const transducerFiles = [encoder, decoder, joiner].filter((f) => f !== undefined).length;
  const wantsTransducer =
    options.modelType === "online-transducer" || options.modelType === "offline-transducer";
  if (transducerFiles > 0 || wantsTransducer) {
    if (encoder === undefined || decoder === undefined || joiner === undefined) {
      throw invalid(dir, "a transducer needs encoder*.onnx, decoder*.onnx and joiner*.onnx");
    }
    if (options.modelType !== undefined && !wantsTransducer) {
      throw invalid(dir, `holds a transducer, not a ${options.modelType} model`);
    }
    const meta = metadataOf(dir, encoder);
    for (const f of [decoder, joiner]) metadataOf(dir, f);
    const streaming =
      options.modelType === undefined
        ? streamingKeys.some((k) => meta.has(k))
        : options.modelType === "online-transducer";
    return {
      dir,
      type: streaming ? "online-transducer" : "offline-transducer",
      streaming,
      config: { ...common, modelConfig: { ...base, transducer: { encoder, decoder, joiner } } },
    };
  }

  const onnx = files.filter((f) => f.endsWith(".onnx"));
  const model =
    pick(files, dir, "model") ??
    (onnx.length === 1 && onnx[0] !== undefined ? join(dir, onnx[0]) : undefined);
  if (model === undefined) {
    throw invalid(
      dir,
      onnx.length === 0
        ? "no .onnx model file"
        : `cannot tell which .onnx file is the model (${onnx.join(", ")})`,
    );
  }
  const meta = metadataOf(dir, model);
  const type: SherpaModelType | undefined =
    options.modelType ??
    (meta.get("model_type") === "zipformer2" && streamingKeys.some((k) => meta.has(k))
      ? "online-zipformer2-ctc"
      : meta.has("vocab_size") && meta.has("subsampling_factor")
        ? "offline-nemo-ctc"
        : undefined);
  switch (type) {
    case "online-zipformer2-ctc":
      return {
        dir,
        type,
        streaming: true,
        config: { ...common, modelConfig: { ...base, zipformer2Ctc: { model } } },
      };
    case "offline-nemo-ctc":
      for (const key of ["vocab_size", "subsampling_factor"]) {
        // sherpa-onnx ends the process when these are missing; say it here instead.
        if (!meta.has(key))
          throw invalid(dir, `${model} has no '${key}' in its metadata (not a NeMo CTC export)`);
      }
      return {
        dir,
        type,
        streaming: false,
        config: { ...common, modelConfig: { ...base, nemoCtc: { model } } },
      };
    default:
      throw invalid(
        dir,
        `cannot tell the model type of ${model} from its metadata; set stt.modelType to one of ${sherpaModelTypes.join(", ")}`,
      );
  }
}
