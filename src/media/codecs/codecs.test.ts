import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { AudioFrame } from "../audio/audio-frame.js";
import { createCodec } from "./codec-registry.js";
import { bestLag, rms, sine, snrDb, speechLike } from "./codec-test-signals.js";
import type { AudioCodec } from "./codec-types.js";
import {
  alawToLinear,
  createPcmaCodec,
  createPcmuCodec,
  linearToAlaw,
  linearToUlaw,
  ulawToLinear,
} from "./g711-codec.js";
import { G722Decoder, G722Encoder } from "./g722-codec.js";

function roundTrip(codec: AudioCodec, input: Int16Array): Int16Array {
  const n = codec.sampleRateHz / 50;
  const out = new Int16Array(input.length + n * 4);
  let o = 0;
  for (let i = 0; i + n <= input.length; i += n) {
    const frame: AudioFrame = { samples: input.slice(i, i + n), sampleRateHz: codec.sampleRateHz };
    for (const f of codec.decode(codec.encode(frame))) {
      out.set(f.samples, o);
      o += f.samples.length;
    }
  }
  return out.subarray(0, o);
}

function measuredSnr(codec: AudioCodec, input: Int16Array, maxLag: number): number {
  const out = roundTrip(codec, input);
  const from = codec.sampleRateHz / 10;
  const to = input.length - maxLag - 1;
  return snrDb(input, out, bestLag(input, out, maxLag, from, to), from, to);
}

describe("G.711", () => {
  test("mu-law known values (ITU-T G.711 table 2)", () => {
    assert.equal(linearToUlaw(0), 0xff);
    assert.equal(linearToUlaw(-1), 0x7f);
    assert.equal(linearToUlaw(32767), 0x80);
    assert.equal(linearToUlaw(-32768), 0x00);
    assert.equal(ulawToLinear(0x00), -32124);
    assert.equal(ulawToLinear(0x80), 32124);
    assert.equal(ulawToLinear(0xff), 0);
    assert.equal(ulawToLinear(0x7f), 0);
    assert.equal(ulawToLinear(0xf0), 120);
    assert.equal(ulawToLinear(0x70), -120);
    assert.equal(ulawToLinear(0xef), 132);
  });

  test("A-law known values (ITU-T G.711 table 1, even bits inverted)", () => {
    assert.equal(linearToAlaw(0), 0xd5);
    assert.equal(linearToAlaw(-1), 0x55);
    assert.equal(linearToAlaw(32767), 0xaa);
    assert.equal(linearToAlaw(-32768), 0x2a);
    assert.equal(alawToLinear(0xd5), 8);
    assert.equal(alawToLinear(0x55), -8);
    assert.equal(alawToLinear(0xaa), 32256);
    assert.equal(alawToLinear(0x2a), -32256);
    assert.equal(alawToLinear(0xd4), 24);
  });

  test("every code decodes then re-encodes to itself (except mu-law's negative zero)", () => {
    for (let c = 0; c < 256; c++) {
      assert.equal(linearToAlaw(alawToLinear(c)), c, `A-law ${c}`);
      if (c !== 0x7f) assert.equal(linearToUlaw(ulawToLinear(c)), c, `mu-law ${c}`);
    }
  });

  test("1 kHz sine survives with G.711 SNR (> 30 dB) for both laws", () => {
    const x = sine(1000, 8000, 8000);
    assert.ok(measuredSnr(createPcmuCodec(), x, 2) > 30);
    assert.ok(measuredSnr(createPcmaCodec(), x, 2) > 30);
  });

  test("plc repeats the last frame and fades to silence", () => {
    const c = createPcmuCodec();
    c.decode(c.encode({ samples: sine(1000, 8000, 160), sampleRateHz: 8000 }));
    const levels = [0, 1, 2, 3, 4].map(() => rms(c.plc().samples));
    assert.ok((levels[0] ?? 0) > 3000);
    for (let i = 1; i < levels.length; i++)
      assert.ok((levels[i] ?? 0) < (levels[i - 1] ?? 0) || levels[i] === 0);
    assert.equal(levels[4], 0);
    assert.equal(c.counters.concealedFrames, 5);
  });

  test("empty payload is counted, not thrown; wrong frame size is a programming error", () => {
    const c = createPcmaCodec();
    assert.deepEqual(c.decode(new Uint8Array(0)), []);
    assert.equal(c.counters.decodeErrors, 1);
    assert.throws(() => c.encode({ samples: new Int16Array(320), sampleRateHz: 16000 }));
  });
});

describe("G.722 (64 kbit/s)", () => {
  test("160 bytes per 20 ms at 16 kHz, RTP clock 8000", () => {
    const c = createCodec("g722", 8000);
    assert.ok(c);
    assert.equal(c.sampleRateHz, 16000);
    assert.equal(c.timestampUnitsPerFrame, 160);
    assert.equal(c.encode({ samples: new Int16Array(320), sampleRateHz: 16000 }).length, 160);
  });

  test("1 kHz sine SNR > 35 dB", () => {
    const snr = measuredSnr(createCodec("G722", 8000) ?? assert.fail(), sine(1000, 16000, 16000), 64);
    assert.ok(snr > 35, `snr ${snr}`);
  });

  test("speech-like signal SNR > 20 dB", () => {
    const snr = measuredSnr(createCodec("G722", 8000) ?? assert.fail(), speechLike(16000, 32000), 64);
    assert.ok(snr > 20, `snr ${snr}`);
  });

  test("decode(encode(x)) is stable: re-encoding the decoded signal decodes to nearly the same", () => {
    const x = speechLike(16000, 16000);
    const y1 = new G722Decoder().decode(new G722Encoder().encode(x));
    const y2 = new G722Decoder().decode(new G722Encoder().encode(y1));
    const lag = bestLag(y1, y2, 64, 1600, 15000);
    assert.ok(snrDb(y1, y2, lag, 1600, 15000) > 15);
    // Bit-exact determinism: the same input gives the same bytes.
    assert.deepEqual(new G722Encoder().encode(x), new G722Encoder().encode(x));
  });

  test("random bytes decode without throwing and stay bounded", () => {
    const d = new G722Decoder();
    const bytes = Uint8Array.from({ length: 4000 }, (_, i) => (i * 7919 + 13) & 0xff);
    const out = d.decode(bytes);
    assert.equal(out.length, 8000);
  });
});

describe("Opus (@evan/opus)", () => {
  for (const rate of [8000, 16000, 48000] as const) {
    test(`${rate} Hz: 20 ms frames round trip with speech-like SNR and RTP clock 48000`, () => {
      const c = createCodec("opus", 48000, { opusSampleRateHz: rate, opusBitrateBps: 32000 });
      assert.ok(c);
      assert.equal(c.timestampUnitsPerFrame, 960);
      const x = sine(440, rate, rate);
      const out = roundTrip(c, x);
      assert.equal(out.length, x.length);
      // Opus is perceptual: check level and correlation, not waveform SNR.
      const from = rate / 5;
      assert.ok(Math.abs(rms(out, from, rate - 1000) / rms(x, from, rate - 1000) - 1) < 0.2);
      const lag = bestLag(x, out, rate / 50, from, rate - rate / 25);
      assert.ok(snrDb(x, out, lag, from, rate - rate / 25) > 6);
    });
  }

  test("plc() after loss gives a 20 ms continuation, then decays; garbage payload counted", () => {
    const c = createCodec("opus", 48000, { opusSampleRateHz: 16000 }) ?? assert.fail();
    const x = sine(300, 16000, 3200);
    for (let i = 0; i < 3200; i += 320)
      c.decode(c.encode({ samples: x.slice(i, i + 320), sampleRateHz: 16000 }));
    const first = c.plc();
    assert.equal(first.samples.length, 320);
    assert.ok(rms(first.samples) > 1000);
    let last = first;
    for (let i = 0; i < 10; i++) last = c.plc();
    assert.ok(rms(last.samples) < rms(first.samples));
    assert.deepEqual(c.decode(new Uint8Array(0)), []);
    assert.equal(c.counters.decodeErrors, 1);
  });

  test("registry: unknown codec or wrong clock gives undefined; RingCentral OPUS/16000 uses clock 16000", () => {
    assert.equal(createCodec("G729", 8000), undefined);
    assert.equal(createCodec("PCMU", 16000), undefined);
    assert.equal(createCodec("OPUS", 16000)?.timestampUnitsPerFrame, 320);
  });
});

describe("decode robustness", () => {
  test("fuzz: random payloads never throw from any codec's decode", () => {
    let seed = 4242;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const codecs = [
      createCodec("PCMU", 8000),
      createCodec("PCMA", 8000),
      createCodec("G722", 8000),
      createCodec("opus", 48000, { opusSampleRateHz: 16000 }),
    ];
    for (const c of codecs) {
      assert.ok(c);
      for (let i = 0; i < 500; i++) {
        const payload = Uint8Array.from({ length: rand(5) === 0 ? 0 : rand(1500) }, () => rand(256));
        for (const f of c.decode(payload)) assert.equal(f.sampleRateHz, c.sampleRateHz);
        if (rand(10) === 0) assert.equal(c.plc().samples.length, c.sampleRateHz / 50);
      }
      assert.ok(c.counters.decodeErrors > 0, c.name);
    }
  });
});
