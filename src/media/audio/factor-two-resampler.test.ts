import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { bestLag, sine, snrDb, speechLike } from "../codecs/codec-test-signals.js";
import { FactorTwoDownsampler, FactorTwoUpsampler, factorTwoPrototype } from "./factor-two-resampler.js";
import { Resampler, type ResamplerRateHz } from "./resampler.js";

/** Amplitude of `frequencyHz` in `x[from, to)` (single-bin DFT, Goertzel-equivalent). */
function toneAmplitude(
  x: Int16Array,
  sampleRateHz: number,
  frequencyHz: number,
  from: number,
  to: number,
): number {
  let re = 0;
  let im = 0;
  const w = (2 * Math.PI * frequencyHz) / sampleRateHz;
  for (let n = from; n < to; n++) {
    re += (x[n] ?? 0) * Math.cos(w * n);
    im += (x[n] ?? 0) * Math.sin(w * n);
  }
  return (2 * Math.hypot(re, im)) / (to - from);
}

function framed(r: Resampler, input: Int16Array): Int16Array {
  const nIn = r.inputRateHz / 50;
  const nOut = r.outputRateHz / 50;
  const out = new Int16Array((input.length / nIn) * nOut);
  for (let i = 0, o = 0; i + nIn <= input.length; i += nIn, o += nOut) {
    out.set(r.process({ samples: input.slice(i, i + nIn), sampleRateHz: r.inputRateHz }).samples, o);
  }
  return out;
}

/** |H(f)| of the prototype at `f` (fraction of its sample rate). */
function response(h: Float64Array, f: number): number {
  let re = 0;
  let im = 0;
  for (let n = 0; n < h.length; n++) {
    re += (h[n] ?? 0) * Math.cos(2 * Math.PI * f * n);
    im -= (h[n] ?? 0) * Math.sin(2 * Math.PI * f * n);
  }
  return Math.hypot(re, im);
}

for (const engine of ["auto", "js"] as const) {
  /** The Resampler on the wasm SIMD path ("auto" on Node 20) or on the JavaScript loops. */
  const make = (fromHz: ResamplerRateHz, toHz: ResamplerRateHz): Resampler =>
    new Resampler(fromHz, toHz, { engine });

  describe(`factor-two resampler path (8 <-> 16 kHz), engine ${engine}`, () => {
    test("prototype: >= 45 dB down everywhere from 4 kHz to 8 kHz, flat within 0.03 dB to 3 kHz (at 16 kHz)", () => {
      const h = factorTwoPrototype();
      for (let f = 4000; f <= 8000; f += 10) {
        const db = 20 * Math.log10(response(h, f / 16000));
        assert.ok(db <= -45, `${f} Hz: ${db.toFixed(1)} dB`);
      }
      for (let f = 0; f <= 3000; f += 10) {
        const db = 20 * Math.log10(response(h, f / 16000));
        assert.ok(Math.abs(db) < 0.03, `${f} Hz: ${db.toFixed(3)} dB`);
      }
    });

    test("16 -> 8 kHz: tones from 4 to 7.9 kHz alias back at least 40 dB down", () => {
      for (const f of [4000, 4100, 4500, 5000, 6000, 7000, 7900]) {
        const x = sine(f, 16000, 16000);
        const y = framed(make(16000, 8000), x);
        const alias = 8000 - f;
        const inDb = 20 * Math.log10(toneAmplitude(x, 16000, f, 1600, 16000));
        const outDb = 20 * Math.log10(Math.max(toneAmplitude(y, 8000, alias, 800, 8000), 1e-3));
        assert.ok(inDb - outDb >= 40, `${f} Hz: only ${(inDb - outDb).toFixed(1)} dB`);
      }
    });

    test("8 -> 16 kHz: the image of an in-band tone is at least 40 dB below the tone", () => {
      for (const f of [300, 1000, 2500, 3000, 3400]) {
        const y = framed(make(8000, 16000), sine(f, 8000, 8000));
        const tone = toneAmplitude(y, 16000, f, 1600, 16000);
        const image = toneAmplitude(y, 16000, 8000 - f, 1600, 16000);
        assert.ok(20 * Math.log10(tone / Math.max(image, 1e-3)) >= 40, `${f} Hz image`);
      }
    });

    test("streaming equals one direct convolution with the prototype, both directions", () => {
      const h = factorTwoPrototype();
      const x16 = speechLike(16000, 6400);
      const down = framed(make(16000, 8000), x16);
      const x8 = speechLike(8000, 3200);
      const up = framed(make(8000, 16000), x8);
      let worst = 0;
      const clip = (v: number): number => Math.max(-32768, Math.min(32767, Math.round(v)));
      for (let m = 0; m < down.length; m++) {
        // Output m is the filter output at input index 2m.
        let acc = 0;
        for (let k = 0; k < h.length; k++) acc += (h[k] ?? 0) * (x16[2 * m - k] ?? 0);
        worst = Math.max(worst, Math.abs(clip(acc) - (down[m] ?? 0)));
      }
      for (let n = 0; n < up.length; n++) {
        let acc = 0;
        for (let k = 0; k < h.length; k++) {
          const j = n - k;
          if (j >= 0 && j % 2 === 0) acc += 2 * (h[k] ?? 0) * (x8[j / 2] ?? 0);
        }
        worst = Math.max(worst, Math.abs(clip(acc) - (up[n] ?? 0)));
      }
      assert.ok(worst <= 1, `max difference ${worst}`);
    });

    test("delaySamples is the measured delay, and 8 -> 16 -> 8 keeps speech (SNR > 40 dB)", () => {
      const x = speechLike(8000, 16000);
      const upper = make(8000, 16000);
      const lower = make(16000, 8000);
      const y = framed(lower, framed(upper, x));
      const lag = bestLag(x, y, 80, 800, 15000);
      assert.equal(lag, upper.delaySamples / 2 + lower.delaySamples);
      assert.ok(snrDb(x, y, lag, 800, 15000) > 40);
    });

    test("processTransient gives the same samples as process, in one reused buffer", () => {
      const a = make(16000, 8000);
      const b = make(16000, 8000);
      const x = speechLike(16000, 1280);
      let previous: Int16Array | undefined;
      for (let i = 0; i < x.length; i += 320) {
        const frame = { samples: x.slice(i, i + 320), sampleRateHz: 16000 };
        const fresh = a.process(frame);
        const reused = b.processTransient(frame);
        assert.deepEqual(reused.samples, fresh.samples);
        if (previous !== undefined) assert.equal(reused.samples, previous);
        previous = reused.samples;
      }
    });

    test("24 <-> 48 kHz uses the same path; custom filter options keep the general path", () => {
      assert.equal(make(48000, 24000).delaySamples, new FactorTwoDownsampler(960).delaySamples);
      assert.equal(make(24000, 48000).delaySamples, new FactorTwoUpsampler(480).delaySamples);
      assert.equal(new Resampler(8000, 16000, { halfLengthAtLowRate: 16 }).delaySamples, 32);
    });
  });
}
