import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  ComfortNoiseGenerator,
  comfortNoiseRms,
  decodeComfortNoiseLevel,
  loudestComfortNoiseDbov,
} from "./comfort-noise.js";

function rms(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / samples.length);
}

describe("RFC 3389 comfort noise", () => {
  test("payload: the level is the low 7 bits of the first byte; coefficients after it are read past", () => {
    assert.equal(decodeComfortNoiseLevel(new Uint8Array([60])), 60);
    assert.equal(decodeComfortNoiseLevel(new Uint8Array([0x80 | 45, 120, 3, 9])), 45);
    assert.equal(decodeComfortNoiseLevel(new Uint8Array([127])), 127);
    assert.equal(decodeComfortNoiseLevel(new Uint8Array(0)), undefined);
  });

  test("noise frames have the signalled level (RMS re 0 dBov = 32767) and 20 ms of samples", () => {
    for (const [rate, level] of [
      [8000, 40],
      [8000, 60],
      [16000, 50],
    ] as const) {
      const cn = new ComfortNoiseGenerator(rate);
      assert.equal(cn.active, false);
      assert.ok(cn.onComfortNoise(new Uint8Array([level])));
      assert.equal(cn.active, true);
      let sum = 0;
      const frames = 50;
      for (let i = 0; i < frames; i++) {
        const f = cn.frame();
        assert.equal(f.sampleRateHz, rate);
        assert.equal(f.samples.length, rate / 50);
        sum += rms(f.samples) ** 2;
      }
      const measured = Math.sqrt(sum / frames);
      const expected = 32767 * 10 ** (-level / 20);
      const errorDb = Math.abs(20 * Math.log10(measured / expected));
      assert.ok(errorDb < 1, `level ${level}: ${measured.toFixed(1)} vs ${expected.toFixed(1)} RMS`);
    }
  });

  test("-127 dBov is (rounded) silence; 0 dBov is played no louder than the cap", () => {
    const quiet = new ComfortNoiseGenerator(8000);
    quiet.onComfortNoise(new Uint8Array([127]));
    assert.ok(quiet.frame().samples.every((s) => s === 0));
    const loud = new ComfortNoiseGenerator(8000);
    loud.onComfortNoise(new Uint8Array([0]));
    const r = rms(loud.frame().samples);
    assert.ok(r < comfortNoiseRms(loudestComfortNoiseDbov) * 1.2, `${r}`);
    assert.ok(r > comfortNoiseRms(loudestComfortNoiseDbov) * 0.8, `${r}`);
  });

  test("speech ends CN; an empty payload is counted and changes nothing; frames differ (noise)", () => {
    const cn = new ComfortNoiseGenerator(8000);
    assert.equal(cn.onComfortNoise(new Uint8Array(0)), false);
    assert.equal(cn.active, false);
    cn.onComfortNoise(new Uint8Array([50]));
    const a = cn.frame();
    const b = cn.frame();
    assert.notDeepEqual(a.samples, b.samples);
    cn.onSpeech();
    assert.equal(cn.active, false);
    assert.deepEqual(cn.stats(), { packets: 1, malformed: 1, frames: 2 });
  });
});
