import { EnergyVad } from "./energy-vad.js";
import type { SileroModel } from "./silero-model.js";
import { SileroVad, type SileroVadOptions } from "./silero-vad.js";
import type { Vad, VadOptions } from "./vad-types.js";

export type VadSpec =
  | { readonly kind: "energy"; readonly options?: Partial<VadOptions> }
  | {
      readonly kind: "silero";
      /** Loaded once per process with `loadSileroModel()` and shared by every call. */
      readonly model: SileroModel;
      readonly options?: Partial<SileroVadOptions>;
    };

/** Builds one call's VAD from configuration (the Silero model is loaded ahead, asynchronously). */
export function createVad(spec: VadSpec = { kind: "energy" }): Vad {
  switch (spec.kind) {
    case "energy":
      return new EnergyVad(spec.options);
    case "silero":
      return new SileroVad(spec.model, spec.options);
  }
}
