import type { AudioFrame } from "../../media/index.js";
import { frameEnergyDb, highBandRatio } from "../audio/frame-energy.js";
import { NoiseFloor, SpeechWindows } from "./speech-windows.js";
import { defaultVadOptions, type Vad, type VadDecision, type VadGate, type VadOptions } from "./vad-types.js";

/**
 * Energy VAD with an adaptive noise floor and a spectral-tilt check: cheap enough for hundreds of
 * calls per core (one pass over 320 samples per frame).
 */
export class EnergyVad implements Vad {
  readonly options: VadOptions;
  readonly #floor: NoiseFloor;
  readonly #windows = new SpeechWindows();

  constructor(options: Partial<VadOptions> = {}) {
    this.options = { ...defaultVadOptions, ...options };
    const o = this.options;
    this.#floor = new NoiseFloor(o.initialNoiseFloorDb, o.noiseFloorRiseMs, o.noiseFloorFallMs);
  }

  get speaking(): boolean {
    return this.#windows.speaking;
  }

  get noiseFloorDb(): number {
    return this.#floor.db;
  }

  process(frame: AudioFrame, gate: VadGate = {}): VadDecision {
    const energyDb = frameEnergyDb(frame.samples);
    const o = this.options;
    const aboveFloor = energyDb >= this.#floor.db + o.thresholdDb && energyDb >= o.minEnergyDb;
    const aboveGate = gate.minEnergyDb === undefined || energyDb >= gate.minEnergyDb;
    const voiced = aboveFloor && aboveGate && highBandRatio(frame.samples) <= o.maxHighBandRatio;

    if (!voiced && gate.freezeNoiseFloor !== true) this.#floor.follow(energyDb);
    const event = this.#windows.step(voiced, o.startWindowMs, o.stopWindowMs);
    return { voiced, speaking: this.#windows.speaking, event, energyDb, noiseFloorDb: this.#floor.db };
  }

  reset(): void {
    this.#windows.reset();
    this.#floor.reset();
  }
}
