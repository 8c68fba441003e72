import assert from "node:assert/strict";
import { test } from "node:test";
import { limitLeadingSilence } from "./leading-silence.js";

function audio(
  leadMs: number,
  toneMs: number,
  rateHz = 16000,
): { samples: Int16Array; sampleRateHz: number } {
  const lead = (leadMs * rateHz) / 1000;
  const samples = new Int16Array(lead + (toneMs * rateHz) / 1000);
  for (let i = lead; i < samples.length; i++)
    samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rateHz));
  return { samples, sampleRateHz: rateHz };
}

test("a long silent lead is cut to maxLeadMs; the speech is untouched", () => {
  const input = audio(217, 300);
  const out = limitLeadingSilence(input, 40);
  assert.equal(out.samples.length, input.samples.length - ((217 - 40) * 16000) / 1000);
  const firstLoud = out.samples.findIndex((s) => Math.abs(s) >= 100);
  assert.ok(firstLoud >= 639 && firstLoud <= 641, `speech starts at sample ${firstLoud} (40 ms)`);
  assert.deepEqual(
    out.samples.subarray(out.samples.length - 100),
    input.samples.subarray(input.samples.length - 100),
  );
});

test("a short lead, or audio that is all silence, is returned unchanged", () => {
  const short = audio(20, 100, 8000);
  assert.equal(limitLeadingSilence(short, 40), short);
  const silent = { samples: new Int16Array(8000), sampleRateHz: 8000 };
  assert.equal(limitLeadingSilence(silent, 40), silent);
});
