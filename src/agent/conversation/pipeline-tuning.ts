/**
 * From a conversation agent's `vad` and `turn` config to the pipeline's options. Only the fields the
 * config sets are passed on, so the pipeline's defaults (declared once, in src/pipeline) fill the
 * rest. The Silero model is loaded once per agent, before calls (one session shared by all calls).
 */
import type { TurnConfig, VadConfig } from "../../config/index.js";
import {
  type BargeInOptions,
  createVad,
  loadSileroModel,
  type SileroLoadOptions,
  type SileroModel,
  type SileroVadOptions,
  type TurnOptions,
  type Vad,
  type VadOptions,
} from "../../pipeline/index.js";

type Settable<T> = { readonly [K in keyof T]?: T[K] | undefined };

/** `source` without its undefined fields (exactOptionalPropertyTypes: an option is set or absent). */
function setFields<T extends object>(source: Settable<T>): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(source) as Array<keyof T>) {
    const value = source[key];
    if (value !== undefined) out[key] = value as T[keyof T];
  }
  return out;
}

export interface TurnTuning {
  readonly turn: Partial<TurnOptions>;
  readonly bargeIn: Partial<BargeInOptions>;
}

export function turnTuning(config: TurnConfig): TurnTuning {
  const { bargeIn, ...turn } = config;
  return {
    turn: setFields<TurnOptions>(turn),
    bargeIn: setFields<BargeInOptions>(bargeIn ?? {}),
  };
}

export type VadTuning =
  | { readonly kind: "energy"; readonly options: Partial<VadOptions> }
  | { readonly kind: "silero"; readonly options: Partial<SileroVadOptions> };

export function vadTuning(config: VadConfig): VadTuning {
  const { kind, startWindowMs, stopWindowMs, minEnergyDb } = config;
  const common = { startWindowMs, stopWindowMs, minEnergyDb };
  if (kind === "silero") {
    return {
      kind,
      options: setFields<SileroVadOptions>({
        ...common,
        threshold: config.threshold,
        negThreshold: config.negThreshold,
      }),
    };
  }
  return {
    kind,
    options: setFields<VadOptions>({
      ...common,
      thresholdDb: config.thresholdDb,
      initialNoiseFloorDb: config.initialNoiseFloorDb,
      noiseFloorRiseMs: config.noiseFloorRiseMs,
      noiseFloorFallMs: config.noiseFloorFallMs,
      maxHighBandRatio: config.maxHighBandRatio,
    }),
  };
}

/** Builds each call's VAD for one agent; `prepare()` loads the Silero model (once) when it needs one. */
export class AgentVadFactory {
  readonly tuning: VadTuning;
  readonly #load: SileroLoadOptions;
  #model: Promise<SileroModel> | undefined;

  constructor(config: VadConfig, load: SileroLoadOptions = {}) {
    this.tuning = vadTuning(config);
    this.#load = load;
  }

  /** Loads what the VAD needs; rejects with the loader's typed error (vad_silero_*) at start-up. */
  async prepare(): Promise<void> {
    if (this.tuning.kind === "silero") await this.#sileroModel();
  }

  /** One call's VAD. */
  async create(): Promise<Vad> {
    const t = this.tuning;
    if (t.kind === "energy") return createVad({ kind: "energy", options: t.options });
    return createVad({ kind: "silero", model: await this.#sileroModel(), options: t.options });
  }

  async close(): Promise<void> {
    const model = this.#model;
    this.#model = undefined;
    if (model === undefined) return;
    const loaded = await model.catch(() => undefined); // a model that never loaded has nothing to close
    await loaded?.close();
  }

  #sileroModel(): Promise<SileroModel> {
    if (this.#model === undefined) {
      const loading = loadSileroModel(this.#load);
      // A failed load is retried on the next call rather than cached.
      void loading.catch(() => {
        if (this.#model === loading) this.#model = undefined;
      });
      this.#model = loading;
    }
    return this.#model;
  }
}
