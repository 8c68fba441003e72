/**
 * The 2:1 / 1:2 resampler on WebAssembly SIMD (f32x4, factor-two-simd.wat): same prototype, same
 * folded coefficients (as float32), same history carried across 20 ms frames and the same
 * delaySamples as FactorTwoDownsampler / FactorTwoUpsampler, whose float64 output it matches within
 * 1 LSB. Each instance owns a region of the process-wide wasm memory (its history + one frame as
 * float32); close() returns it, and so does garbage collection of an instance never closed
 * (FinalizationRegistry). A frame costs two typed-array copies (into the shared int16 staging, out
 * into the caller's buffer) and one call into wasm: no allocation.
 *
 * createFactorTwoDownsampler / createFactorTwoUpsampler pick this path when the runtime supports it
 * and the frame fits, else the JavaScript loops.
 */
import { RingagentError } from "../../shared/index.js";
import { FactorTwoDownsampler, FactorTwoUpsampler, factorTwoFilterTaps } from "./factor-two-resampler.js";
import {
  type FactorTwoSimdKernel,
  factorTwoSimdKernel,
  factorTwoSimdMaxFrameSamples,
} from "./factor-two-simd-kernel.js";

/** What the Resampler needs of either implementation. */
export interface FactorTwoPath {
  readonly delaySamples: number;
  /** Which loops run: the wasm SIMD kernel or the JavaScript reference. */
  readonly engine: FactorTwoEngine;
  process(input: Int16Array, out: Int16Array): void;
  reset(): void;
  /** Releases what the path holds (wasm memory); idempotent. */
  close(): void;
}

export type FactorTwoEngine = "wasm-simd" | "js";

type Direction = "down" | "up";

/** History per stream (samples): (taps - 1) / 2 for both directions' streams. */
const historySamples = (factorTwoFilterTaps - 1) / 2;

/** Regions of instances collected without close(). */
const unclosed = new FinalizationRegistry<number>((offset) => factorTwoSimdKernel()?.allocator.free(offset));

/** Whether the wasm path serves frames of `inputFrameSamples` in this direction here. */
export function factorTwoSimdSupports(direction: Direction, inputFrameSamples: number): boolean {
  if (factorTwoSimdKernel() === undefined || !Number.isInteger(inputFrameSamples) || inputFrameSamples <= 0) {
    return false;
  }
  return direction === "down"
    ? inputFrameSamples % 16 === 0 && inputFrameSamples <= factorTwoSimdMaxFrameSamples
    : inputFrameSamples % 8 === 0 && 2 * inputFrameSamples <= factorTwoSimdMaxFrameSamples;
}

class FactorTwoSimd implements FactorTwoPath {
  readonly delaySamples: number;
  readonly engine: FactorTwoEngine = "wasm-simd";
  readonly #kernel: FactorTwoSimdKernel;
  readonly #direction: Direction;
  readonly #inputSamples: number;
  readonly #outputSamples: number;
  readonly #stateBytes: number;
  readonly #stateOffset: number;
  #closed = false;
  #generation = -1;
  #inView = new Int16Array(0);
  #outView = new Int16Array(0);

  constructor(direction: Direction, inputFrameSamples: number) {
    const kernel = factorTwoSimdKernel();
    if (kernel === undefined || !factorTwoSimdSupports(direction, inputFrameSamples)) {
      throw new RingagentError(
        "media_resampler_simd",
        `no WebAssembly SIMD resampler for ${direction} frames of ${inputFrameSamples} samples`,
      );
    }
    this.#kernel = kernel;
    this.#direction = direction;
    this.#inputSamples = inputFrameSamples;
    this.#outputSamples = direction === "down" ? inputFrameSamples / 2 : 2 * inputFrameSamples;
    // Down: even and odd input streams, each history + n/2; up: one stream, history + n.
    this.#stateBytes =
      4 *
      (direction === "down" ? 2 * historySamples + inputFrameSamples : historySamples + inputFrameSamples);
    this.#stateOffset = kernel.allocator.allocate(this.#stateBytes);
    unclosed.register(this, this.#stateOffset, this);
    // Same delays as the JavaScript classes: (taps - 1) / 4 output samples down, (taps - 1) / 2 up.
    this.delaySamples = direction === "down" ? (factorTwoFilterTaps - 1) / 4 : (factorTwoFilterTaps - 1) / 2;
    this.reset();
  }

  /** Bytes of wasm memory this instance holds (besides the shared staging and coefficients). */
  get stateBytes(): number {
    return this.#stateBytes;
  }

  process(input: Int16Array, out: Int16Array): void {
    const kernel = this.#kernel;
    if (this.#generation !== kernel.generation) this.#views();
    this.#inView.set(input);
    const coef = this.#direction === "down" ? kernel.downCoefBytes : kernel.upCoefBytes;
    const run = this.#direction === "down" ? kernel.down : kernel.up;
    run(this.#stateOffset, coef, kernel.inBytes, kernel.outBytes, this.#inputSamples);
    out.set(this.#outView);
  }

  reset(): void {
    this.#assertOpen();
    new Float32Array(this.#kernel.buffer, this.#stateOffset, this.#stateBytes / 4).fill(0);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    unclosed.unregister(this);
    this.#kernel.allocator.free(this.#stateOffset);
    this.#inView = new Int16Array(0);
    this.#outView = new Int16Array(0);
    this.#generation = Number.NaN;
  }

  /** (Re)builds the staging views for the current memory buffer (first call, after growth). */
  #views(): void {
    this.#assertOpen();
    const kernel = this.#kernel;
    this.#inView = new Int16Array(kernel.buffer, kernel.inBytes, this.#inputSamples);
    this.#outView = new Int16Array(kernel.buffer, kernel.outBytes, this.#outputSamples);
    this.#generation = kernel.generation;
  }

  #assertOpen(): void {
    if (this.#closed) throw new RingagentError("media_resampler_closed", "resampler used after close()");
  }
}

/** 2:1 decimation on wasm SIMD (see FactorTwoDownsampler for the filter). */
export class FactorTwoSimdDownsampler extends FactorTwoSimd {
  constructor(inputFrameSamples: number) {
    super("down", inputFrameSamples);
  }
}

/** 1:2 interpolation on wasm SIMD (see FactorTwoUpsampler for the filter). */
export class FactorTwoSimdUpsampler extends FactorTwoSimd {
  constructor(inputFrameSamples: number) {
    super("up", inputFrameSamples);
  }
}

/** The JavaScript classes as FactorTwoPath (close() has nothing to release). */
class JsPath implements FactorTwoPath {
  readonly engine: FactorTwoEngine = "js";
  readonly delaySamples: number;
  readonly #inner: FactorTwoDownsampler | FactorTwoUpsampler;

  constructor(inner: FactorTwoDownsampler | FactorTwoUpsampler) {
    this.#inner = inner;
    this.delaySamples = inner.delaySamples;
  }

  process(input: Int16Array, out: Int16Array): void {
    this.#inner.process(input, out);
  }

  reset(): void {
    this.#inner.reset();
  }

  close(): void {}
}

/** The wasm SIMD path when supported (and `engine` is not "js"), else the JavaScript loops. */
export function createFactorTwoDownsampler(
  inputFrameSamples: number,
  engine: "auto" | "js" = "auto",
): FactorTwoPath {
  return engine === "auto" && factorTwoSimdSupports("down", inputFrameSamples)
    ? new FactorTwoSimdDownsampler(inputFrameSamples)
    : new JsPath(new FactorTwoDownsampler(inputFrameSamples));
}

/** The wasm SIMD path when supported (and `engine` is not "js"), else the JavaScript loops. */
export function createFactorTwoUpsampler(
  inputFrameSamples: number,
  engine: "auto" | "js" = "auto",
): FactorTwoPath {
  return engine === "auto" && factorTwoSimdSupports("up", inputFrameSamples)
    ? new FactorTwoSimdUpsampler(inputFrameSamples)
    : new JsPath(new FactorTwoUpsampler(inputFrameSamples));
}
