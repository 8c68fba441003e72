import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import wabt from "wabt";
import { speechLike } from "../codecs/codec-test-signals.js";
import { FactorTwoDownsampler, FactorTwoUpsampler } from "./factor-two-resampler.js";
import {
  createFactorTwoDownsampler,
  createFactorTwoUpsampler,
  FactorTwoSimdDownsampler,
  FactorTwoSimdUpsampler,
  factorTwoSimdSupports,
} from "./factor-two-simd.js";
import { factorTwoSimdKernel, factorTwoSimdWasmBytes } from "./factor-two-simd-kernel.js";
import { Resampler } from "./resampler.js";

/** Deterministic pseudo-random full-scale int16 noise. */
function noise(count: number, seed: number): Int16Array {
  let s = seed >>> 0;
  const x = new Int16Array(count);
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = (s >>> 16) - 32768;
  }
  return x;
}

interface FramePath {
  process(input: Int16Array, out: Int16Array): void;
}

/** Runs `signal` frame by frame through a and b; the largest sample difference and the output count. */
function compare(a: FramePath, b: FramePath, signal: Int16Array, frame: number, outFrame: number): number {
  let worst = 0;
  const outA = new Int16Array(outFrame);
  const outB = new Int16Array(outFrame);
  for (let at = 0; at + frame <= signal.length; at += frame) {
    const input = signal.subarray(at, at + frame);
    a.process(input, outA);
    b.process(input, outB);
    for (let i = 0; i < outFrame; i++) worst = Math.max(worst, Math.abs((outA[i] ?? 0) - (outB[i] ?? 0)));
  }
  return worst;
}

const silent16k = { samples: new Int16Array(320), sampleRateHz: 16000 };

const cases = [
  { label: "16 -> 8 kHz", frame: 320, down: true },
  { label: "48 -> 24 kHz", frame: 960, down: true },
  { label: "8 -> 16 kHz", frame: 160, down: false },
  { label: "24 -> 48 kHz", frame: 480, down: false },
];

describe("factor-two resampler on WebAssembly SIMD", () => {
  test("the committed bytes are what factor-two-simd.wat compiles to (run scripts/build-wasm.ts)", async () => {
    const text = readFileSync(join(import.meta.dirname, "factor-two-simd.wat"), "utf8");
    const parsed = (await wabt()).parseWat("factor-two-simd.wat", text, { simd: true });
    const compiled = Buffer.from(parsed.toBinary({}).buffer);
    parsed.destroy();
    assert.deepEqual(Buffer.from(factorTwoSimdWasmBytes()), compiled);
  });

  test("Node 20 runs it: the Resampler's 2:1 / 1:2 paths use it by default, 'js' keeps the loops", () => {
    assert.ok(factorTwoSimdKernel() !== undefined);
    assert.equal(new Resampler(16000, 8000).factorTwoEngine, "wasm-simd");
    assert.equal(new Resampler(8000, 16000).factorTwoEngine, "wasm-simd");
    assert.equal(new Resampler(48000, 24000).factorTwoEngine, "wasm-simd");
    assert.equal(new Resampler(24000, 48000).factorTwoEngine, "wasm-simd");
    assert.equal(new Resampler(16000, 8000, { engine: "js" }).factorTwoEngine, "js");
    assert.equal(new Resampler(16000, 48000).factorTwoEngine, undefined);
  });

  for (const { label, frame, down } of cases) {
    const outFrame = down ? frame / 2 : frame * 2;
    const pair = (): [FramePath & { delaySamples: number }, FramePath & { delaySamples: number }] =>
      down
        ? [new FactorTwoDownsampler(frame), new FactorTwoSimdDownsampler(frame)]
        : [new FactorTwoUpsampler(frame), new FactorTwoSimdUpsampler(frame)];

    test(`${label}: equals the JavaScript path within 1 LSB over 200 frames of noise, same delay`, () => {
      const [js, simd] = pair();
      assert.equal(simd.delaySamples, js.delaySamples);
      assert.ok(compare(js, simd, noise(frame * 200, frame), frame, outFrame) <= 1);
    });

    test(`${label}: equals the JavaScript path within 1 LSB over 200 frames of speech-like audio`, () => {
      const [js, simd] = pair();
      const rateHz = frame * 50;
      assert.ok(compare(js, simd, speechLike(rateHz, frame * 200), frame, outFrame) <= 1);
    });
  }

  test("clipping inputs saturate like the JavaScript path (full-scale square wave)", () => {
    const square = new Int16Array(320 * 20).map((_, i) => (i % 16 < 8 ? 32767 : -32768));
    assert.ok(
      compare(new FactorTwoDownsampler(320), new FactorTwoSimdDownsampler(320), square, 320, 160) <= 1,
    );
    assert.ok(compare(new FactorTwoUpsampler(160), new FactorTwoSimdUpsampler(160), square, 160, 320) <= 1);
  });

  test("reset() clears the history: output after reset equals a fresh instance's", () => {
    const x = speechLike(16000, 320 * 4);
    const used = new FactorTwoSimdDownsampler(320);
    const out = new Int16Array(160);
    used.process(x.subarray(0, 320), out);
    used.reset();
    const fresh = new FactorTwoSimdDownsampler(320);
    assert.equal(compare(used, fresh, x.subarray(320), 320, 160), 0);
  });

  test("close() returns the region, is idempotent, and later use throws a RingagentError", () => {
    const allocator = factorTwoSimdKernel()?.allocator;
    assert.ok(allocator !== undefined);
    const before = allocator.liveRegions;
    const up = new FactorTwoSimdUpsampler(160);
    const down = createFactorTwoDownsampler(320);
    assert.equal(allocator.liveRegions, before + 2);
    assert.equal(up.stateBytes, 4 * (24 + 160));
    up.close();
    up.close();
    down.close();
    assert.equal(allocator.liveRegions, before);
    assert.throws(() => up.process(new Int16Array(160), new Int16Array(320)), {
      code: "media_resampler_closed",
    });
    const resampler = new Resampler(8000, 16000);
    resampler.close();
    assert.equal(allocator.liveRegions, before);
  });

  test("regions of instances dropped without close() return after garbage collection", async () => {
    const allocator = factorTwoSimdKernel()?.allocator;
    assert.ok(allocator !== undefined);
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    // Earlier tests' dropped instances first; finalization callbacks run in later turns.
    for (let turn = 0; turn < 20; turn++) {
      gc();
      await nextTurn();
    }
    const before = allocator.liveRegions;
    (() => {
      for (let i = 0; i < 20; i++) new Resampler(16000, 8000).process(silent16k);
    })();
    assert.equal(allocator.liveRegions, before + 20);
    for (let turn = 0; turn < 200 && allocator.liveRegions > before; turn++) {
      gc();
      await nextTurn();
    }
    assert.equal(allocator.liveRegions, before);
  });

  test("instances keep working (same output as JavaScript) across memory growth", () => {
    const kernel = factorTwoSimdKernel();
    assert.ok(kernel !== undefined);
    const x = speechLike(16000, 320 * 40);
    const js = new FactorTwoDownsampler(320);
    const simd = new FactorTwoSimdDownsampler(320);
    assert.ok(compare(js, simd, x.subarray(0, 320 * 20), 320, 160) <= 1);
    const generation = kernel.generation;
    // 200 regions of ~4 KB are more than the first 64 KiB page holds.
    const many = Array.from({ length: 200 }, () => createFactorTwoDownsampler(960));
    assert.ok(kernel.generation > generation, "the memory grew");
    assert.ok(compare(js, simd, x.subarray(320 * 20), 320, 160) <= 1);
    for (const path of many) path.close();
    simd.close();
  });

  test("frames the kernel cannot take fall back to the JavaScript loops", () => {
    assert.equal(factorTwoSimdSupports("down", 328), false);
    assert.equal(createFactorTwoDownsampler(328).engine, "js");
    assert.equal(createFactorTwoUpsampler(4000).engine, "js");
    assert.equal(createFactorTwoUpsampler(160, "js").engine, "js");
    assert.throws(() => new FactorTwoSimdDownsampler(100), { code: "media_resampler_simd" });
  });
});
