import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { bestLag, rms, sine, snrDb, speechLike } from "../codecs/codec-test-signals.js";
import { kaiserLowPass } from "./kaiser-filter.js";
import { Resampler, type ResamplerRateHz, resamplerRates } from "./resampler.js";

function run(r: Resampler, input: Int16Array): Int16Array {
  const nIn = r.inputRateHz / 50;
  const nOut = r.outputRateHz / 50;
  const out = new Int16Array((input.length / nIn) * nOut);
  for (let i = 0, o = 0; i + nIn <= input.length; i += nIn, o += nOut) {
    const f = r.process({ samples: input.slice(i, i + nIn), sampleRateHz: r.inputRateHz });
    assert.equal(f.samples.length, nOut, "exact 20 ms output frame");
    assert.equal(f.sampleRateHz, r.outputRateHz);
    out.set(f.samples, o);
  }
  return out;
}

describe("Resampler (polyphase Kaiser windowed sinc)", () => {
  test("1 kHz sine survives 8 -> 16 -> 8 kHz with SNR > 50 dB", () => {
    const x = sine(1000, 8000, 16000);
    const y = run(new Resampler(16000, 8000), run(new Resampler(8000, 16000), x));
    const lag = bestLag(x, y, 80, 800, 15000);
    const snr = snrDb(x, y, lag, 800, 15000);
    assert.ok(snr > 50, `snr ${snr}`);
  });

  test("6 kHz tone is attenuated by more than 40 dB going 16 -> 8 kHz", () => {
    const x = sine(6000, 16000, 16000);
    const y = run(new Resampler(16000, 8000), x);
    const attenuationDb = 20 * Math.log10(rms(x, 1600) / Math.max(rms(y, 800), 1e-3));
    assert.ok(attenuationDb > 40, `attenuation ${attenuationDb}`);
  });

  test("every rate pair: in-band tone keeps its level, output frames are exact", () => {
    for (const from of resamplerRates) {
      for (const to of resamplerRates) {
        const x = sine(500, from, from);
        const y = run(new Resampler(from as ResamplerRateHz, to as ResamplerRateHz), x);
        assert.equal(y.length, to);
        const ratio = rms(y, to / 5, to - to / 10) / rms(x, from / 5, from - from / 10);
        assert.ok(Math.abs(ratio - 1) < 0.01, `${from}->${to} gain ${ratio}`);
      }
    }
  });

  test("streaming: frame-by-frame output equals one direct convolution over the whole signal", () => {
    const x = speechLike(16000, 8000);
    const framed = run(new Resampler(16000, 48000), x);
    // Reference: zero-stuff by L=3, filter with the same prototype in one pass, keep every sample (M=1).
    const half = 16 * 3;
    const h = kaiserLowPass(2 * half + 1, (0.9 * 8000) / 48000, 8);
    let worst = 0;
    for (let n = 0; n < framed.length; n++) {
      let acc = 0;
      for (let k = 0; k < h.length; k++) {
        const m = n - k;
        if (m >= 0 && m % 3 === 0) acc += 3 * (h[k] ?? 0) * (x[m / 3] ?? 0);
      }
      worst = Math.max(
        worst,
        Math.abs(Math.max(-32768, Math.min(32767, Math.round(acc))) - (framed[n] ?? 0)),
      );
    }
    assert.ok(worst <= 1, `max difference ${worst}`);
  });

  test("24 -> 48 -> 24 round trip of speech-like audio", () => {
    const x = speechLike(24000, 24000);
    const y = run(new Resampler(48000, 24000), run(new Resampler(24000, 48000), x));
    const lag = bestLag(x, y, 100, 2400, 22000);
    assert.ok(snrDb(x, y, lag, 2400, 22000) > 40);
  });

  test("prototype filter has unit DC gain and is symmetric", () => {
    const h = kaiserLowPass(65, 0.2, 8);
    let sum = 0;
    for (const v of h) sum += v;
    assert.ok(Math.abs(sum - 1) < 1e-12);
    for (let i = 0; i < 32; i++) assert.ok(Math.abs((h[i] ?? 0) - (h[64 - i] ?? 0)) < 1e-15);
  });

  test("wrong frame size throws a coded error", () => {
    assert.throws(() =>
      new Resampler(8000, 16000).process({ samples: new Int16Array(10), sampleRateHz: 8000 }),
    );
  });
});
