import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type AudioFrame, Resampler } from "../../../../media/index.js";
import { provenWideMin, SpeechFrontEnd } from "./narrowband-front-end.js";

/** 20 ms frames of a speech-like test signal: tones at `tonesHz`, each at amplitude 3000. */
function tones(rateHz: number, tonesHz: readonly number[], frames: number): AudioFrame[] {
  const n = rateHz / 50;
  const out: AudioFrame[] = [];
  for (let f = 0; f < frames; f++) {
    const samples = new Int16Array(n);
    for (let i = 0; i < n; i++) {
      const t = (f * n + i) / rateHz;
      let v = 0;
      for (const hz of tonesHz) v += 3000 * Math.sin(2 * Math.PI * hz * t);
      samples[i] = Math.round(v);
    }
    out.push({ samples, sampleRateHz: rateHz });
  }
  return out;
}

describe("speech front end: band check for 16 kHz input", () => {
  test("telephone audio upsampled to 16 kHz stays narrowband and gets the band fill", () => {
    const fe = new SpeechFrontEnd(16000);
    const up = new Resampler(8000, 16000);
    const plain: Int16Array[] = [];
    const filled: Int16Array[] = [];
    for (const frame of tones(8000, [500, 1500, 3300], 100)) {
      const wide = up.process(frame);
      plain.push(wide.samples);
      filled.push(fe.process(wide));
    }
    assert.equal(fe.narrowband, true);
    assert.equal(fe.bandKnown, true); // 50 speech frames without a high band: certain
    // What was added is the fill: faint noise at about -42 dBFS RMS (32768 * 10^(-42/20) = 261).
    const a = filled.at(-1) as Int16Array;
    const b = plain.at(-1) as Int16Array;
    let sum = 0;
    for (let i = 0; i < a.length; i++) sum += ((a[i] ?? 0) - (b[i] ?? 0)) ** 2;
    const addedRms = Math.sqrt(sum / a.length);
    assert.ok(addedRms > 150 && addedRms < 400, String(addedRms));
  });

  test("wideband audio is found wideband within a few speech frames and passes unchanged", () => {
    const fe = new SpeechFrontEnd(16000);
    const frames = tones(16000, [500, 6000], 20);
    let provenAt = -1;
    for (const [i, frame] of frames.entries()) {
      const out = fe.process(frame);
      if (provenAt < 0 && !fe.narrowband) provenAt = i;
      if (provenAt >= 0 && i > provenAt) assert.deepEqual(out, frame.samples);
    }
    assert.ok(provenAt >= provenWideMin - 1 && provenAt < provenWideMin + 2, String(provenAt));
  });

  test("a narrowband guess turns wideband when high-band speech follows", () => {
    const fe = new SpeechFrontEnd(16000);
    const up = new Resampler(8000, 16000);
    for (const frame of tones(8000, [300, 600], 15)) fe.process(up.process(frame));
    assert.equal(fe.bandKnown, true);
    assert.equal(fe.narrowband, true);
    for (const frame of tones(16000, [500, 6000], 10)) fe.process(frame);
    assert.equal(fe.narrowband, false);
  });

  test("silence decides nothing; 8 kHz input is narrowband from the start", () => {
    const fe = new SpeechFrontEnd(16000);
    for (const frame of tones(16000, [], 100)) fe.process(frame);
    assert.equal(fe.bandKnown, false);
    assert.equal(fe.narrowband, true);
    const tel = new SpeechFrontEnd(8000);
    assert.equal(tel.bandKnown, true);
    assert.equal(tel.narrowband, true);
  });

  test("bandFillDb null: no fill and no check", () => {
    const fe = new SpeechFrontEnd(16000, { bandFillDb: null });
    const frame = tones(16000, [500], 1)[0] as AudioFrame;
    assert.deepEqual(fe.process(frame), frame.samples);
    assert.equal(fe.narrowband, false);
  });
});
