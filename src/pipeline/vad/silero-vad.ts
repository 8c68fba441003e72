import type { AudioFrame } from "../../media/index.js";
import { frameEnergyDb } from "../audio/frame-energy.js";
import { type SileroModel, type SileroRateHz, type SileroState, sileroChunk } from "./silero-model.js";
import { NoiseFloor, SpeechWindows } from "./speech-windows.js";
import type { Vad, VadDecision, VadGate } from "./vad-types.js";

/** Thresholds and windows of the Silero VAD (times in ms of audio). */
export interface SileroVadOptions {
  /** Speech probability (0..1) at or above which a chunk starts counting as speech. */
  readonly threshold: number;
  /** While speaking, a chunk keeps counting as speech down to this probability (default threshold - 0.15). */
  readonly negThreshold: number;
  /** Voiced audio needed (consecutive) before `speech_start`. */
  readonly startWindowMs: number;
  /** Unvoiced audio needed (consecutive) before `speech_end` (the hangover). */
  readonly stopWindowMs: number;
  /**
   * Frames quieter than this (dBFS) are never voiced, and a chunk this quiet is not run through the
   * model at all (silence costs no inference).
   */
  readonly minEnergyDb: number;
}

/** Same windows as the energy VAD, so barge-in timing does not change with the VAD kind. */
export const defaultSileroVadOptions = {
  threshold: 0.5,
  negThreshold: 0.35,
  startWindowMs: 60,
  stopWindowMs: 160,
  minEnergyDb: -55,
} as const satisfies SileroVadOptions;

/** Chunks waiting for inference beyond this are dropped (the CPU is overloaded) and counted. */
const maxQueuedChunks = 8;
/** After this many skipped (silent) chunks in a row the model state starts fresh. */
const freshStateAfterSkipped = 10;
/** Reported noise floor: the energy VAD's start level and time constants (rise 4 s, fall 200 ms). */
const newNoiseFloor = (): NoiseFloor => new NoiseFloor(-65, 4000, 200);

interface ChunkJob {
  readonly input: Float32Array;
  readonly rateHz: SileroRateHz;
  readonly epoch: number;
}

/**
 * Silero VAD v5 behind the synchronous {@link Vad} interface.
 *
 * onnxruntime-node only offers an asynchronous `run` (it runs the model on the main thread in a
 * `setImmediate`), while the pipeline decides per 20 ms frame synchronously. So each frame is
 * appended to the current chunk (512 samples at 16 kHz, 256 at 8 kHz: 32 ms), a full chunk is
 * queued for inference at once, and a frame's decision uses the newest probability that has come
 * back. In a live call the inference (a fraction of a millisecond) finishes long before the next
 * frame arrives, so decisions lag the audio by one frame plus the part of a chunk not yet full:
 * 20–52 ms more than the energy VAD. Wire bench (fake engines, loopback, 2 busy cores): barge-in
 * p50 132 / p95 168 ms with the default windows (energy: 94 / 111); vad.startWindowMs 40 with
 * turn.bargeIn.minSpeechMs 40 gave 92 / 153 (Silero does not fire on clicks, so shorter windows are
 * safe with it). A pipeline that awaited {@link settled} before deciding would save the 20 ms frame.
 * Tests and benchmarks call {@link settled} after each frame to get the live schedule.
 *
 * The {@link VadGate} is applied to each frame's own energy with no lag, exactly as in the energy
 * VAD: a frame under `gate.minEnergyDb` is never voiced, so our echo cannot start caller speech.
 * `freezeNoiseFloor` freezes the reported noise floor. It does not freeze the model's recurrent
 * state: unlike an energy floor, that state does not make real speech harder to hear after echo
 * (echo is speech too), and holding it made sustained speech drop out (a 4.8 s flite sentence
 * gave 5 speech_end with the state held over it, 2 without: the pause at its comma, and its end).
 */
export class SileroVad implements Vad {
  readonly options: SileroVadOptions;
  readonly #model: SileroModel;
  #state: SileroState;
  #probability = 0;
  readonly #windows = new SpeechWindows();
  readonly #floor = newNoiseFloor();
  // The chunk being filled (new samples only) and the context before it.
  #rateHz: SileroRateHz | undefined;
  #chunk = new Float32Array(0);
  #filled = 0;
  #chunkEnergy = 0;
  #context = new Float32Array(0);
  #skippedRun = 0;
  readonly #queue: ChunkJob[] = [];
  #running: Promise<void> | undefined;
  #epoch = 0;
  /** Chunks run through the model. */
  inferences = 0;
  /** Chunks too quiet to need the model. */
  skippedChunks = 0;
  /** Chunks dropped because inference fell behind. */
  droppedChunks = 0;
  /** Inferences that failed (the chunk counts as not speech). */
  failedInferences = 0;
  /** Frames at a rate the model does not take (only 8 and 16 kHz): never voiced. */
  unsupportedFrames = 0;

  constructor(model: SileroModel, options: Partial<SileroVadOptions> = {}) {
    // Silero's own hysteresis (VADIterator): speech ends below threshold - 0.15 unless told otherwise.
    const threshold = options.threshold ?? defaultSileroVadOptions.threshold;
    const negThreshold = options.negThreshold ?? Math.max(0.01, threshold - 0.15);
    this.options = {
      ...defaultSileroVadOptions,
      ...options,
      negThreshold: Math.min(negThreshold, threshold),
    };
    this.#model = model;
    this.#state = model.initialState();
  }

  get speaking(): boolean {
    return this.#windows.speaking;
  }

  /** The newest speech probability that came back from the model. */
  get probability(): number {
    return this.#probability;
  }

  process(frame: AudioFrame, gate: VadGate = {}): VadDecision {
    const o = this.options;
    const energyDb = frameEnergyDb(frame.samples);
    const frozen = gate.freezeNoiseFloor === true;
    const rateHz = frame.sampleRateHz;
    if (rateHz === 8000 || rateHz === 16000) this.#append(frame.samples, rateHz);
    else this.unsupportedFrames++;

    const speechy = this.#probability >= (this.#windows.speaking ? o.negThreshold : o.threshold);
    const loudEnough =
      energyDb >= o.minEnergyDb && (gate.minEnergyDb === undefined || energyDb >= gate.minEnergyDb);
    const voiced = speechy && loudEnough && (rateHz === 8000 || rateHz === 16000);

    if (!voiced && !frozen) this.#floor.follow(energyDb);
    const event = this.#windows.step(voiced, o.startWindowMs, o.stopWindowMs);
    return { voiced, speaking: this.#windows.speaking, event, energyDb, noiseFloorDb: this.#floor.db };
  }

  /** Resolves once every chunk queued so far has been through the model (tests, benchmarks). */
  async settled(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  reset(): void {
    this.#epoch++;
    this.#queue.length = 0;
    this.#state = this.#model.initialState();
    this.#probability = 0;
    this.#windows.reset();
    this.#floor.reset();
    this.#filled = 0;
    this.#chunkEnergy = 0;
    this.#context.fill(0);
    this.#skippedRun = 0;
  }

  // ---------------------------------------------------------------- chunking

  #append(samples: Int16Array, rateHz: SileroRateHz): void {
    if (this.#rateHz !== rateHz) {
      // First frame (or the rate changed): chunk sizes follow the rate; the old chunk is dropped.
      this.#rateHz = rateHz;
      this.#chunk = new Float32Array(sileroChunk[rateHz].samples);
      this.#context = new Float32Array(sileroChunk[rateHz].context);
      this.#filled = 0;
      this.#chunkEnergy = 0;
      this.#state = this.#model.initialState();
    }
    for (let i = 0; i < samples.length; i++) {
      const s = (samples[i] ?? 0) / 32768;
      this.#chunk[this.#filled++] = s;
      this.#chunkEnergy += s * s;
      if (this.#filled === this.#chunk.length) this.#chunkFull(rateHz);
    }
  }

  #chunkFull(rateHz: SileroRateHz): void {
    const chunk = this.#chunk;
    const context = this.#context;
    const meanSquare = this.#chunkEnergy / chunk.length;
    const chunkDb = meanSquare <= 1e-10 ? -100 : 10 * Math.log10(meanSquare); // dBFS, as frameEnergyDb
    this.#filled = 0;
    this.#chunkEnergy = 0;

    if (chunkDb < this.options.minEnergyDb) {
      // Silence: no inference. The answer is "not speech", known now.
      this.skippedChunks++;
      this.#probability = 0;
      if (++this.#skippedRun === freshStateAfterSkipped) this.#state = this.#model.initialState();
      context.set(chunk.subarray(chunk.length - context.length));
      return;
    }
    this.#skippedRun = 0;
    const input = new Float32Array(context.length + chunk.length);
    input.set(context, 0);
    input.set(chunk, context.length);
    context.set(chunk.subarray(chunk.length - context.length));
    if (this.#queue.length >= maxQueuedChunks) {
      this.#queue.shift();
      this.droppedChunks++;
    }
    this.#queue.push({ input, rateHz, epoch: this.#epoch });
    if (this.#running === undefined) {
      this.#running = this.#drain().finally(() => {
        this.#running = undefined;
      });
    }
  }

  /** Runs queued chunks one at a time (each needs the state the previous one produced). */
  async #drain(): Promise<void> {
    for (let job = this.#queue.shift(); job !== undefined; job = this.#queue.shift()) {
      let probability = 0;
      let state: SileroState | undefined;
      try {
        const result = await this.#model.run(job.input, this.#state, job.rateHz);
        probability = result.probability;
        state = result.state;
        this.inferences++;
      } catch {
        this.failedInferences++;
      }
      if (job.epoch !== this.#epoch) continue; // reset() while it ran
      this.#probability = probability;
      if (state !== undefined) this.#state = state;
    }
  }
}
