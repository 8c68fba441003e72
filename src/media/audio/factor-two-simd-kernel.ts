/**
 * The process-wide WebAssembly SIMD kernel of the 2:1 / 1:2 resampler (factor-two-simd.wat): one
 * module instance and one memory shared by every resampler, instantiated synchronously on first
 * use (the module is ~1 KB). Memory layout: int16 staging for one input and one output frame (every
 * call copies in, runs and copies out before returning, so all resamplers share it), the folded
 * coefficients of both directions as float32 (constants, shared), then regions that each resampler
 * allocates for its history + frame (WasmRegionAllocator). Undefined when the runtime has no
 * WebAssembly SIMD: callers then use the JavaScript loops.
 */
import { Buffer } from "node:buffer";
import { factorTwoFilterTaps, factorTwoFolds } from "./factor-two-resampler.js";
import { factorTwoSimdWasmBase64 } from "./factor-two-simd-bytes.js";
import { WasmRegionAllocator } from "./wasm-region-allocator.js";

/** Largest frame (samples, input of 2:1, output of 1:2) the staging buffers hold: 40 ms at 48 kHz. */
export const factorTwoSimdMaxFrameSamples = 1920;
const inBytes = 0;
const outBytes = 4096;
const downCoefBytes = 8192;
const upCoefBytes = 8320;
const heapStartBytes = 8448;

/** (state, coef, in, out, inputSamples) -> void, all byte offsets into the memory. */
type KernelFunction = (state: number, coef: number, input: number, output: number, samples: number) => void;

export interface FactorTwoSimdKernel {
  readonly down: KernelFunction;
  readonly up: KernelFunction;
  readonly allocator: WasmRegionAllocator;
  readonly inBytes: number;
  readonly outBytes: number;
  readonly downCoefBytes: number;
  readonly upCoefBytes: number;
  /** The memory's current buffer (replaced, and old views detached, when the memory grows). */
  buffer: ArrayBuffer;
  /** Increases whenever `buffer` changes, so cached views know to rebuild. */
  generation: number;
}

/** The parts of the global WebAssembly API used here (the project's lib types do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}

let kernel: FactorTwoSimdKernel | null | undefined;

/** The wasm module's bytes (decoded from the committed base64). */
export function factorTwoSimdWasmBytes(): Uint8Array {
  return new Uint8Array(Buffer.from(factorTwoSimdWasmBase64, "base64"));
}

/** The shared kernel, or undefined without WebAssembly SIMD (checked once per process). */
export function factorTwoSimdKernel(): FactorTwoSimdKernel | undefined {
  if (kernel === undefined) kernel = instantiate() ?? null;
  return kernel ?? undefined;
}

function isKernelFunction(value: unknown): value is KernelFunction {
  return typeof value === "function";
}

function isMemory(value: unknown): value is WasmMemory {
  return typeof value === "object" && value !== null && "buffer" in value && "grow" in value;
}

function instantiate(): FactorTwoSimdKernel | undefined {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  // The wat hard-codes the 49-tap prototype's 24-sample histories.
  if (api === undefined || factorTwoFilterTaps !== 49) return undefined;
  const bytes = factorTwoSimdWasmBytes();
  try {
    if (!api.validate(bytes)) return undefined;
    const { exports } = new api.Instance(new api.Module(bytes), {});
    const { memory, down, up } = exports;
    if (!isMemory(memory) || !isKernelFunction(down) || !isKernelFunction(up)) return undefined;
    const state: FactorTwoSimdKernel = {
      down,
      up,
      allocator: new WasmRegionAllocator(heapStartBytes, memory.buffer.byteLength, (pages) => {
        memory.grow(pages);
        state.buffer = memory.buffer;
        state.generation++;
      }),
      inBytes,
      outBytes,
      downCoefBytes,
      upCoefBytes,
      buffer: memory.buffer,
      generation: 0,
    };
    writeCoefficients(state.buffer);
    return state;
  } catch {
    // A runtime that validates but cannot compile or instantiate it: the JavaScript loops serve.
    return undefined;
  }
}

/** Coefficient layouts as the wat reads them (see its comments). */
function writeCoefficients(buffer: ArrayBuffer): void {
  const { down, even, odd } = factorTwoFolds();
  const downCoef = new Float32Array(buffer, downCoefBytes, 25);
  for (let u = 0; u < 12; u++) {
    downCoef[u] = down[2 * u] ?? 0;
    downCoef[13 + u] = down[2 * u + 1] ?? 0;
  }
  downCoef[12] = down[24] ?? 0;
  const upCoef = new Float32Array(buffer, upCoefBytes, 25);
  for (let i = 0; i < 13; i++) upCoef[i] = even[i] ?? 0;
  for (let i = 0; i < 12; i++) upCoef[13 + i] = odd[i] ?? 0;
}
