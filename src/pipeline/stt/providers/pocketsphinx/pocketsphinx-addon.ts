import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { findUpwards, RingagentError } from "../../../../shared/index.js";

/** An opaque decoder handle owned by the addon. */
export type DecoderHandle = { readonly __pocketsphinxDecoder: unique symbol };

export interface PocketsphinxModel {
  /** Acoustic model directory. */
  readonly hmm: string;
  /** Language model (.lm.bin). */
  readonly lm: string;
  /** Pronunciation dictionary. */
  readonly dict: string;
}

/** Name of the addon's default search (the decoder's `lm`). */
export const defaultSearch = "_default";

/** The Debian pocketsphinx-en-us model. */
export const debianEnglishModel: PocketsphinxModel = {
  hmm: "/usr/share/pocketsphinx/model/en-us/en-us",
  lm: "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin",
  dict: "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict",
};

/** The N-API surface of native/pocketsphinx (see its C file). */
export interface PocketsphinxAddon {
  createDecoder(
    options: PocketsphinxModel & {
      sampleRateHz: number;
      /** Extra configuration: ["-name", "value", ...] (pocketsphinx's own argument names). */
      args?: readonly string[];
    },
  ): Promise<DecoderHandle>;
  /** Posterior probability (0..1) of the last final hypothesis; -1 without a lattice (-bestpath no). */
  lastConfidence(decoder: DecoderHandle): number;
  /** The live cepstral mean (CMN) the decoder has adapted to (13 values for en-us). */
  cepstralMean(decoder: DecoderHandle): number[];
  /** Starts the decoder's live CMN from these values (between utterances). */
  setCepstralMean(decoder: DecoderHandle, mean: readonly number[]): void;
  startUtterance(decoder: DecoderHandle): void;
  processRaw(decoder: DecoderHandle, samples: Int16Array, wantPartial: boolean): Promise<string | null>;
  endUtterance(decoder: DecoderHandle): Promise<string>;
  freeDecoder(decoder: DecoderHandle): void;
}

export const addonBuildCommand = "cd native/pocketsphinx && npx node-gyp rebuild --nodedir=/usr";
const addonRelativePath = join("native", "pocketsphinx", "build", "Release", "pocketsphinx_addon.node");

/** Finds the built addon by walking up from this module (works from src/ with tsx and from dist/). */
export function findAddonPath(): string | undefined {
  return findUpwards(import.meta.url, addonRelativePath);
}

function isAddon(value: unknown): value is PocketsphinxAddon {
  if (typeof value !== "object" || value === null) return false;
  const names = [
    "createDecoder",
    "lastConfidence",
    "cepstralMean",
    "setCepstralMean",
    "startUtterance",
    "processRaw",
    "endUtterance",
    "freeDecoder",
  ];
  return names.every((name) => typeof (value as Record<string, unknown>)[name] === "function");
}

/** Loads the addon; a missing or broken build is a typed error that says how to build it. */
export function loadPocketsphinxAddon(path: string | undefined = findAddonPath()): PocketsphinxAddon {
  const fix = `build it with: ${addonBuildCommand} (needs libpocketsphinx-dev, libsphinxbase-dev)`;
  if (path === undefined || !existsSync(path)) {
    throw new RingagentError("stt_pocketsphinx_addon_missing", `the pocketsphinx addon is not built; ${fix}`);
  }
  let loaded: unknown;
  try {
    loaded = createRequire(import.meta.url)(path);
  } catch (error) {
    throw new RingagentError(
      "stt_pocketsphinx_addon_missing",
      `the pocketsphinx addon failed to load; ${fix}`,
      {
        cause: error,
      },
    );
  }
  if (!isAddon(loaded)) {
    throw new RingagentError(
      "stt_pocketsphinx_addon_missing",
      `the pocketsphinx addon is incomplete; ${fix}`,
    );
  }
  return loaded;
}

/** Checks the model files exist (a clear error before a 1 s model load fails inside the library). */
export function checkPocketsphinxModel(model: PocketsphinxModel): void {
  for (const [part, path] of Object.entries(model)) {
    if (!existsSync(path)) {
      throw new RingagentError(
        "stt_pocketsphinx_model_missing",
        `pocketsphinx model ${part} not found at ${path}; install pocketsphinx-en-us (apt-get install pocketsphinx-en-us) or set the model paths`,
      );
    }
  }
}
