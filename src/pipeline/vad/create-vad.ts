import { RingagentError } from "../../shared/index.js";
import { EnergyVad } from "./energy-vad.js";
import type { Vad, VadOptions } from "./vad-types.js";

export type VadSpec =
  | { readonly kind: "energy"; readonly options?: Partial<VadOptions> }
  | { readonly kind: "silero" };

/**
 * Builds a VAD from configuration. `silero` is a documented slot, not an implementation: it needs
 * onnxruntime-node (install with ONNXRUNTIME_NODE_INSTALL=skip) and a silero_vad.onnx model, neither
 * of which is installed. Until then it fails with a typed error naming the fix.
 */
export function createVad(spec: VadSpec = { kind: "energy" }): Vad {
  switch (spec.kind) {
    case "energy":
      return new EnergyVad(spec.options);
    case "silero":
      throw new RingagentError(
        "vad_silero_unavailable",
        "the Silero VAD needs onnxruntime-node and silero_vad.onnx, which are not installed; use vad kind 'energy'",
      );
  }
}
