import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { noiseFrame, voicedFrame } from "../testing/test-signals.js";
import { createVad } from "./create-vad.js";
import { EnergyVad } from "./energy-vad.js";

describe("energy VAD", () => {
  test("start and stop windows in ms", () => {
    const vad = new EnergyVad({ startWindowMs: 60, stopWindowMs: 160 });
    for (let i = 0; i < 50; i++) assert.equal(vad.process(noiseFrame(16000, i)).event, undefined);
    const events: Array<[number, string]> = [];
    for (let i = 0; i < 40; i++) {
      const e = vad.process(voicedFrame(16000, i)).event;
      if (e !== undefined) events.push([i, e]);
    }
    for (let i = 0; i < 20; i++) {
      const e = vad.process(noiseFrame(16000, 100 + i)).event;
      if (e !== undefined) events.push([40 + i, e]);
    }
    // Third voiced frame (60 ms) starts; eighth silent frame (160 ms) stops.
    assert.deepEqual(events, [
      [2, "speech_start"],
      [47, "speech_end"],
    ]);
  });

  test("the noise floor adapts to steady background noise", () => {
    const vad = new EnergyVad();
    let voicedAtStart = 0;
    for (let i = 0; i < 25; i++) if (vad.process(noiseFrame(16000, i, -40)).voiced) voicedAtStart++;
    let voicedLater = 0;
    for (let i = 0; i < 500; i++)
      if (vad.process(noiseFrame(16000, 1000 + i, -40)).voiced && i > 400) voicedLater++;
    assert.ok(vad.noiseFloorDb > -45, `floor ${vad.noiseFloorDb}`);
    assert.equal(voicedLater, 0);
    assert.ok(voicedAtStart >= 0);
    // Speech well above that floor is still heard.
    let heard = false;
    for (let i = 0; i < 10; i++) heard ||= vad.process(voicedFrame(16000, i, -15)).speaking;
    assert.ok(heard);
  });

  test("hiss is not voiced (spectral check); the echo gate raises the bar", () => {
    const vad = new EnergyVad();
    assert.equal(vad.process(noiseFrame(16000, 1, -20)).voiced, false, "loud white noise");
    assert.equal(vad.process(voicedFrame(16000, 1, -30), { minEnergyDb: -25 }).voiced, false);
    assert.equal(vad.process(voicedFrame(16000, 2, -20), { minEnergyDb: -25 }).voiced, true);
  });

  test("createVad builds the energy VAD by default, with its options", () => {
    assert.ok(createVad() instanceof EnergyVad);
    const vad = createVad({ kind: "energy", options: { startWindowMs: 100 } });
    assert.ok(vad instanceof EnergyVad);
    assert.equal(vad.options.startWindowMs, 100);
  });
});
