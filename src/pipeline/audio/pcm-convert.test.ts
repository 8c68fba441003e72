import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RingagentError } from "../../shared/index.js";
import { resampleBuffer, toFrames } from "./pcm-convert.js";
import { parseWav } from "./wav-parse.js";

function wav(samples: Int16Array, rateHz: number, dataSize?: number): Uint8Array {
  const bytes = new Uint8Array(44 + samples.byteLength);
  const v = new DataView(bytes.buffer);
  const put = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) bytes[at + i] = s.charCodeAt(i);
  };
  put(0, "RIFF");
  v.setUint32(4, 36 + samples.byteLength, true);
  put(8, "WAVE");
  put(12, "fmt ");
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, rateHz, true);
  v.setUint32(28, rateHz * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  put(36, "data");
  v.setUint32(40, dataSize ?? samples.byteLength, true);
  bytes.set(new Uint8Array(samples.buffer), 44);
  return bytes;
}

function tone(hz: number, rateHz: number, seconds: number): Int16Array {
  const out = new Int16Array(Math.round(rateHz * seconds));
  for (let i = 0; i < out.length; i++) out[i] = Math.round(10000 * Math.sin((2 * Math.PI * hz * i) / rateHz));
  return out;
}

/** Dominant frequency by counting rising zero crossings. */
function frequency(samples: Int16Array, rateHz: number): number {
  let crossings = 0;
  for (let i = 1; i < samples.length; i++)
    if ((samples[i - 1] ?? 0) < 0 && (samples[i] ?? 0) >= 0) crossings++;
  return (crossings * rateHz) / samples.length;
}

describe("WAV parsing", () => {
  test("PCM16 mono, also with an unknown (streamed) data size", () => {
    const samples = tone(440, 16000, 0.1);
    for (const size of [undefined, 0, 0xffffffff]) {
      const audio = parseWav(wav(samples, 16000, size));
      assert.equal(audio.sampleRateHz, 16000);
      assert.deepEqual(audio.samples, samples);
    }
  });

  test("garbage is a typed error, never another exception", () => {
    let seed = 7;
    const good = wav(tone(440, 8000, 0.02), 8000);
    for (let i = 0; i < 2000; i++) {
      const bytes = good.slice(0, (i * 13) % (good.length + 1));
      for (let k = 0; k < 4; k++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        if (bytes.length > 0) bytes[seed % bytes.length] = seed >>> 24;
      }
      try {
        parseWav(bytes);
      } catch (error) {
        assert.ok(error instanceof RingagentError, String(error));
        assert.equal(error.code, "tts_wav_invalid");
      }
    }
  });
});

describe("PCM conversion", () => {
  test("22 050 -> 16 000 Hz keeps a 1 kHz tone's pitch and level", () => {
    const out = resampleBuffer(tone(1000, 22050, 0.5), 22050, 16000);
    assert.equal(out.length, 8000);
    assert.ok(Math.abs(frequency(out.subarray(200, 7800), 16000) - 1000) < 10);
    const peak = Math.max(...out.subarray(200, 7800));
    assert.ok(peak > 9500 && peak < 10500, `peak ${peak}`);
  });

  test("toFrames: 20 ms frames at the target rate, duration kept", () => {
    for (const [from, to] of [
      [16000, 8000],
      [8000, 16000],
      [22050, 16000],
      [16000, 16000],
    ] as const) {
      const frames = toFrames({ samples: tone(500, from, 1), sampleRateHz: from }, to);
      assert.equal(frames.length, 50, `${from}->${to}`);
      for (const f of frames) assert.equal(f.samples.length, to / 50);
      const joined = new Int16Array(frames.flatMap((f) => [...f.samples]));
      assert.ok(
        Math.abs(frequency(joined.subarray(100, joined.length - 100), to) - 500) < 8,
        `${from}->${to}`,
      );
    }
  });
});
