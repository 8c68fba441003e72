import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { AudioFrame } from "../audio/audio-frame.js";
import { createCodec } from "./codec-registry.js";

function tone(seed: number): AudioFrame {
  const samples = new Int16Array(160);
  for (let i = 0; i < 160; i++) samples[i] = Math.round(20000 * Math.sin((seed * 160 + i) * 0.21));
  return { samples, sampleRateHz: 8000 };
}

describe("allocation-free G.711 encodeInto / decodeInto", () => {
  for (const name of ["PCMU", "PCMA"]) {
    test(`${name}: the same bytes and samples as encode/decode, at an offset; no room gives -1`, () => {
      const a = createCodec(name, 8000);
      const b = createCodec(name, 8000);
      assert.ok(a?.encodeInto && b?.decodeInto);
      for (let f = 0; f < 3; f++) {
        const frame = tone(f);
        const payload = a.encode(frame);
        const out = new Uint8Array(200).fill(0xee);
        assert.equal(a.encodeInto(frame, out, 12), 160);
        assert.deepEqual(out.subarray(12, 172), payload);
        assert.equal(out[11], 0xee);
        assert.equal(out[172], 0xee);
        assert.equal(a.encodeInto(frame, out, 41), -1, "does not fit");

        const [decoded] = a.decode(payload);
        const fifo = new Int16Array(400);
        assert.equal(b.decodeInto(payload, fifo, 100), 160);
        assert.deepEqual(fifo.subarray(100, 260), decoded?.samples);
        assert.equal(b.decodeInto(payload, fifo, 300), -1, "does not fit");
      }
      // Both decoders saw the same last frame, so they conceal alike.
      assert.deepEqual(b.plc().samples, a.plc().samples);
      assert.equal(b.decodeInto(new Uint8Array(0), new Int16Array(10), 0), 0);
      assert.equal(b.counters.decodeErrors, 1);
    });
  }
});
