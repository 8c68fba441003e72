/**
 * Where the pocketsphinx model lives, resolved once for both the provider (main.ts builds
 * `PocketsphinxSttProvider({ model })` from it) and `ringagent doctor` (which checks the same files):
 * the agent's `stt.modelDir`, else `$RINGAGENT_POCKETSPHINX_MODEL_DIR`, else Debian's
 * pocketsphinx-en-us folder. The folder holds the layout of that package: `en-us/` (acoustic model),
 * `en-us.lm.bin` (language model) and `cmudict-en-us.dict` (dictionary).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { PocketsphinxModel } from "../../pipeline/index.js";

export const pocketsphinxModelDirEnv = "RINGAGENT_POCKETSPHINX_MODEL_DIR";
export const defaultPocketsphinxModelDir = "/usr/share/pocketsphinx/model/en-us";
export const pocketsphinxModelFix =
  "apt-get install pocketsphinx-en-us (or point stt.modelDir / RINGAGENT_POCKETSPHINX_MODEL_DIR at a folder with en-us/, en-us.lm.bin and cmudict-en-us.dict)";

/** The model folder for one agent's `stt` options (`modelDir`), then the environment, then Debian's. */
export function pocketsphinxModelDir(stt: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv): string {
  const fromConfig = stt.modelDir;
  if (typeof fromConfig === "string" && fromConfig.length > 0) return fromConfig;
  const fromEnv = env[pocketsphinxModelDirEnv];
  if (fromEnv !== undefined && fromEnv.length > 0) return fromEnv;
  return defaultPocketsphinxModelDir;
}

/** The model files inside a folder laid out like Debian's pocketsphinx-en-us. */
export function pocketsphinxModelIn(dir: string): PocketsphinxModel {
  return {
    hmm: join(dir, "en-us"),
    lm: join(dir, "en-us.lm.bin"),
    dict: join(dir, "cmudict-en-us.dict"),
  };
}

/** The parts of the model that are missing (empty when all are there). */
export function missingModelParts(model: PocketsphinxModel): string[] {
  return Object.entries(model)
    .filter(([, path]) => !existsSync(path))
    .map(([part]) => part);
}
