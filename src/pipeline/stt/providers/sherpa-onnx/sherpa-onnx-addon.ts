/**
 * The part of the sherpa-onnx-node package we use, typed, and a check of a model in a child process.
 *
 * sherpa-onnx's C++ core ends the whole process (`_Exit(-1)`, or an uncaught ONNX Runtime exception)
 * when a model file is broken or lacks what it expects, so a model is first loaded and run on one
 * second of audio by a short-lived `node` child. Only when that succeeds does the service load it;
 * otherwise startup stops with a typed error that carries sherpa-onnx's own last lines of output.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { RingagentError } from "../../../../shared/index.js";
import type { SherpaModel, SherpaRecognizerConfig } from "./sherpa-onnx-model.js";

export interface SherpaWaveform {
  readonly samples: Float32Array;
  readonly sampleRate: number;
}

export interface SherpaResult {
  readonly text: string;
}

export interface SherpaOfflineStream {
  acceptWaveform(waveform: SherpaWaveform): void;
}

export interface SherpaOfflineRecognizer {
  createStream(): SherpaOfflineStream;
  /** Decodes on the libuv thread pool. */
  decodeAsync(stream: SherpaOfflineStream): Promise<SherpaResult>;
}

/** Online recognizers are used only inside the worker thread (sherpa-onnx-online-worker.ts). */
export interface SherpaAddon {
  readonly OfflineRecognizer: new (config: SherpaRecognizerConfig) => SherpaOfflineRecognizer;
  readonly OnlineRecognizer: unknown;
}

const packageName = "sherpa-onnx-node";
const addonFix = `install it: npm install ${packageName} (it brings the prebuilt sherpa-onnx-<platform>-<arch> package)`;

function isAddon(value: unknown): value is SherpaAddon {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.OfflineRecognizer === "function" && typeof v.OnlineRecognizer === "function";
}

/** Where sherpa-onnx-node is installed (for the check process and the worker thread). */
export function sherpaPackagePath(): string {
  try {
    return createRequire(import.meta.url).resolve(packageName);
  } catch (error) {
    throw new RingagentError("stt_sherpa_addon_missing", `${packageName} is not installed; ${addonFix}`, {
      cause: error,
    });
  }
}

/** Loads sherpa-onnx-node; a missing package or native library is a typed error with the fix. */
export function loadSherpaAddon(): SherpaAddon {
  const path = sherpaPackagePath();
  let loaded: unknown;
  try {
    loaded = createRequire(import.meta.url)(path);
  } catch (error) {
    throw new RingagentError("stt_sherpa_addon_missing", `${packageName} failed to load; ${addonFix}`, {
      cause: error,
    });
  }
  if (!isAddon(loaded)) {
    throw new RingagentError("stt_sherpa_addon_missing", `${packageName} lacks the recognizers; ${addonFix}`);
  }
  return loaded;
}

/** The child's program (CommonJS): load the model, decode 1 s of faint noise, print "ok". */
const probeProgram = `
const [pkg, streaming, config] = process.argv.slice(1);
const sherpa = require(pkg);
const cfg = JSON.parse(config);
const samples = new Float32Array(16000);
for (let i = 0; i < samples.length; i++) samples[i] = 0.01 * Math.sin(i * 0.37) * Math.sin(i * 0.011);
if (streaming === "true") {
  const r = new sherpa.OnlineRecognizer(cfg);
  const s = r.createStream();
  s.acceptWaveform({ samples, sampleRate: 16000 });
  s.inputFinished();
  while (r.isReady(s)) r.decode(s);
  r.getResult(s);
} else {
  const r = new sherpa.OfflineRecognizer(cfg);
  const s = r.createStream();
  s.acceptWaveform({ samples, sampleRate: 16000 });
  r.decode(s);
  r.getResult(s);
}
process.stdout.write("ok");
`;

export interface ProbeOptions {
  /** Longest wait for the child (large models load for seconds). */
  readonly timeoutMs?: number;
}

/**
 * Loads `model` in a child `node` and runs it once; throws `stt_sherpa_model_invalid` (with
 * sherpa-onnx's last output lines) when the child fails, dies or times out. Synchronous: startup only.
 */
export function probeSherpaModel(model: SherpaModel, options: ProbeOptions = {}): void {
  const child = spawnSync(
    process.execPath,
    ["-e", probeProgram, sherpaPackagePath(), String(model.streaming), JSON.stringify(model.config)],
    { encoding: "utf8", timeout: options.timeoutMs ?? 120_000, stdio: ["ignore", "pipe", "pipe"] },
  );
  if (child.status === 0 && child.stdout === "ok") return;
  const output = `${child.stderr ?? ""}\n${child.error?.message ?? ""}`
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .slice(-4)
    .join(" | ");
  const how =
    child.signal !== null ? `was killed by ${child.signal}` : `exited with status ${String(child.status)}`;
  throw new RingagentError(
    "stt_sherpa_model_invalid",
    `sherpa-onnx could not load the ${model.type} model in ${model.dir} (a check process ${how}: ${output || "no output"}); use a complete, unmodified sherpa-onnx model folder or set stt.modelType`,
  );
}
