import type { AudioFrame } from "../../media/index.js";
import { frameEnergyDb, highBandRatio } from "../audio/frame-energy.js";
import { defaultVadOptions, type Vad, type VadDecision, type VadGate, type VadOptions } from "./vad-types.js";

const frameMs = 20;

/**
 * Energy VAD with an adaptive noise floor and a spectral-tilt check: cheap enough for hundreds of
 * calls per core (one pass over 320 samples per frame).
 */
export class EnergyVad implements Vad {
  readonly options: VadOptions;
  #noiseFloorDb: number;
  #speaking = false;
  #voicedRunMs = 0;
  #unvoicedRunMs = 0;
  readonly #riseAlpha: number;
  readonly #fallAlpha: number;

  constructor(options: Partial<VadOptions> = {}) {
    this.options = { ...defaultVadOptions, ...options };
    this.#noiseFloorDb = this.options.initialNoiseFloorDb;
    this.#riseAlpha = 1 - Math.exp(-frameMs / this.options.noiseFloorRiseMs);
    this.#fallAlpha = 1 - Math.exp(-frameMs / this.options.noiseFloorFallMs);
  }

  get speaking(): boolean {
    return this.#speaking;
  }

  get noiseFloorDb(): number {
    return this.#noiseFloorDb;
  }

  process(frame: AudioFrame, gate: VadGate = {}): VadDecision {
    const energyDb = frameEnergyDb(frame.samples);
    const o = this.options;
    const aboveFloor = energyDb >= this.#noiseFloorDb + o.thresholdDb && energyDb >= o.minEnergyDb;
    const aboveGate = gate.minEnergyDb === undefined || energyDb >= gate.minEnergyDb;
    const voiced = aboveFloor && aboveGate && highBandRatio(frame.samples) <= o.maxHighBandRatio;

    if (!voiced && gate.freezeNoiseFloor !== true) {
      const alpha = energyDb > this.#noiseFloorDb ? this.#riseAlpha : this.#fallAlpha;
      this.#noiseFloorDb = Math.max(-100, this.#noiseFloorDb + (energyDb - this.#noiseFloorDb) * alpha);
    }

    let event: VadDecision["event"];
    if (voiced) {
      this.#voicedRunMs += frameMs;
      this.#unvoicedRunMs = 0;
      if (!this.#speaking && this.#voicedRunMs >= o.startWindowMs) {
        this.#speaking = true;
        event = "speech_start";
      }
    } else {
      this.#unvoicedRunMs += frameMs;
      this.#voicedRunMs = 0;
      if (this.#speaking && this.#unvoicedRunMs >= o.stopWindowMs) {
        this.#speaking = false;
        event = "speech_end";
      }
    }
    return { voiced, speaking: this.#speaking, event, energyDb, noiseFloorDb: this.#noiseFloorDb };
  }

  reset(): void {
    this.#speaking = false;
    this.#voicedRunMs = 0;
    this.#unvoicedRunMs = 0;
    this.#noiseFloorDb = this.options.initialNoiseFloorDb;
  }
}
