import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { AudioFrame } from "../audio/audio-frame.js";
import { createCodec } from "../codecs/codec-registry.js";
import { createPcmuCodec } from "../codecs/g711-codec.js";
import { JitterBuffer } from "./jitter-buffer.js";
import type { JitterDecoder, JitterPacket } from "./jitter-types.js";

/** A decoder whose frames say which packet they came from: every sample = payload[0] * 100; PLC = -1. */
function labelDecoder(): JitterDecoder & { plcCalls: number } {
  const d = {
    sampleRateHz: 8000,
    clockRateHz: 8000,
    plcCalls: 0,
    decode(payload: Uint8Array): AudioFrame[] {
      return [{ samples: new Int16Array(160).fill((payload[0] ?? 0) * 100), sampleRateHz: 8000 }];
    },
    plc(): AudioFrame {
      d.plcCalls++;
      return { samples: new Int16Array(160).fill(-1), sampleRateHz: 8000 };
    },
  };
  return d;
}

function packet(n: number, base = 1000): JitterPacket {
  return {
    seq: (base + n) & 0xffff,
    timestamp: (n * 160) >>> 0,
    marker: n === 0,
    payloadType: 0,
    payload: Uint8Array.of(n % 250, 0, 0),
  };
}

/** Simulates a call: packet n is sent at n*20*senderScale ms and arrives `delay(n)` later; pull every 20 ms. */
function simulate(
  jb: JitterBuffer,
  count: number,
  arrival: (n: number) => number | undefined,
  pulls: number,
  base = 1000,
): number[] {
  const events = Array.from({ length: count }, (_, n) => ({ n, at: arrival(n) }))
    .filter((e): e is { n: number; at: number } => e.at !== undefined)
    .sort((a, b) => a.at - b.at);
  const labels: number[] = [];
  let next = 0;
  for (let k = 0; k < pulls; k++) {
    const now = k * 20;
    while (next < events.length && (events[next]?.at ?? Infinity) <= now) {
      const e = events[next++];
      if (e) jb.push(packet(e.n, base), e.at);
    }
    const f = jb.pull();
    assert.equal(f.samples.length, 160, "exactly one 20 ms frame per pull");
    labels.push(f.samples[0] ?? 0);
  }
  return labels;
}

/** The packet labels (payload[0]) in playout order, without start-up silence. */
function played(labels: number[]): number[] {
  return labels.filter((v) => v > 0 || v === -1).map((v) => (v === -1 ? -1 : v / 100));
}

describe("JitterBuffer", () => {
  test("reuseFrameBuffer: every frame is one shared buffer with the same audio; silence and a short tail are zeroed", () => {
    const fresh = new JitterBuffer(labelDecoder());
    const shared = new JitterBuffer(labelDecoder());
    shared.reuseFrameBuffer();
    assert.equal(
      shared.silentFrame().samples.some((v) => v !== 0),
      false,
    );
    let buffer: Int16Array | undefined;
    let previousFresh: Int16Array | undefined;
    for (let n = 1; n <= 6; n++) {
      if (n !== 4) {
        fresh.push(packet(n), n * 20);
        shared.push(packet(n), n * 20);
      }
      const a = fresh.takeDueFrame();
      const b = shared.takeDueFrame();
      assert.deepEqual([...b.samples], [...a.samples], `frame ${n}`);
      buffer ??= b.samples;
      assert.equal(b.samples, buffer, "the same buffer every time");
      assert.notEqual(a.samples, previousFresh, "without it, a new buffer per frame");
      previousFresh = a.samples;
    }
    const silent = shared.silentFrame();
    assert.equal(silent.samples, buffer);
    assert.equal(
      silent.samples.some((v) => v !== 0),
      false,
    );
  });

  test("steady stream plays in order after the minimum depth", () => {
    const jb = new JitterBuffer(labelDecoder(), { minDepthMs: 40 });
    const labels = simulate(jb, 100, (n) => n * 20 + 5, 110);
    const seq = played(labels).filter((v) => v !== -1);
    // Packet 0 carries label 0 (indistinguishable from silence here), so playout shows 1, 2, 3, ...
    assert.deepEqual(
      seq.slice(0, 50),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    assert.ok(
      labels.slice(0, 2).every((v) => v === 0),
      "start-up silence while filling to the target",
    );
    const s = jb.stats();
    assert.equal(s.lost, 0);
    assert.equal(s.late, 0);
    assert.equal(s.played, 100);
  });

  test("reordered packets are put back in order and counted", () => {
    const jb = new JitterBuffer(labelDecoder(), { minDepthMs: 60 });
    // Swap every pair after the first: 1 arrives after 2, 3 after 4 ...
    const labels = simulate(jb, 40, (n) => n * 20 + (n % 2 === 1 ? 25 : 0), 50);
    const seq = played(labels).filter((v) => v > 0);
    assert.deepEqual(
      seq,
      Array.from({ length: 39 }, (_, i) => i + 1),
    );
    assert.ok(jb.stats().reordered >= 15);
    assert.equal(jb.stats().lost, 0);
  });

  test("duplicates are dropped and counted, before and after playout", () => {
    const jb = new JitterBuffer(labelDecoder(), { minDepthMs: 40 });
    jb.push(packet(0), 0);
    assert.equal(jb.push(packet(0), 1), "duplicate");
    jb.push(packet(1), 20);
    jb.push(packet(2), 40);
    jb.pull();
    jb.pull();
    assert.equal(jb.push(packet(0), 60), "duplicate");
    assert.equal(jb.stats().duplicates, 2);
  });

  test("a lost packet is concealed in place with the codec's plc and counted", () => {
    const dec = labelDecoder();
    const jb = new JitterBuffer(dec, { minDepthMs: 40 });
    const labels = simulate(jb, 30, (n) => (n === 10 ? undefined : n * 20), 35);
    const seq = played(labels);
    const at = seq.indexOf(9);
    assert.deepEqual(seq.slice(at, at + 3), [9, -1, 11]);
    assert.equal(jb.stats().lost, 1);
    assert.ok(jb.stats().concealed >= 1);
    assert.ok(dec.plcCalls >= 1);
  });

  test("a packet arriving after its slot is late and dropped", () => {
    const jb = new JitterBuffer(labelDecoder(), { minDepthMs: 40 });
    const labels = simulate(jb, 30, (n) => (n === 10 ? 10 * 20 + 400 : n * 20), 40);
    assert.equal(jb.stats().late, 1);
    assert.equal(jb.stats().lost, 1);
    assert.equal(played(labels).filter((v) => v === 10).length, 0);
  });

  test("jitter raises the target depth within bounds and avoids loss", () => {
    let seed = 7;
    const rand = (): number => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const delays = Array.from({ length: 500 }, () => rand() * 60);
    const jb = new JitterBuffer(labelDecoder(), { minDepthMs: 40, maxDepthMs: 200 });
    simulate(jb, 500, (n) => n * 20 + (delays[n] ?? 0), 520);
    const s = jb.stats();
    assert.ok(s.jitterMs > 10, `jitter ${s.jitterMs}`);
    assert.ok(s.targetDepthMs > 40 && s.targetDepthMs <= 200, `target ${s.targetDepthMs}`);
    assert.ok(s.late + s.lost < 25, `late ${s.late} lost ${s.lost}`);
  });

  test("sender clock 1% fast: depth stays bounded by dropping frames", () => {
    const jb = new JitterBuffer(labelDecoder(), { minDepthMs: 40, maxDepthMs: 200 });
    simulate(jb, 3000, (n) => n * 19.8, 3000);
    const s = jb.stats();
    assert.ok(s.driftDropped > 10, `dropped ${s.driftDropped}`);
    assert.ok(s.depthMs <= s.targetDepthMs + 80, `depth ${s.depthMs} target ${s.targetDepthMs}`);
    assert.equal(s.overflowDropped, 0);
  });

  test("sender clock 1% slow: frames are inserted, playout never stalls", () => {
    const jb = new JitterBuffer(labelDecoder(), { minDepthMs: 40, maxDepthMs: 200 });
    const labels = simulate(jb, 3000, (n) => n * 20.2, 3000);
    const s = jb.stats();
    assert.ok(s.driftInserted + s.concealed > 10, `inserted ${s.driftInserted}`);
    assert.ok(s.silentPulls < 20, `silent ${s.silentPulls}`);
    assert.equal(labels.length, 3000);
    assert.equal(s.lost, 0);
  });

  test("sequence wraparound at 65535 plays straight through", () => {
    const jb = new JitterBuffer(labelDecoder(), { minDepthMs: 40 });
    const labels = simulate(jb, 40, (n) => n * 20, 45, 65520);
    const seq = played(labels).filter((v) => v > 0);
    assert.deepEqual(
      seq,
      Array.from({ length: seq.length }, (_, i) => i + 1),
    );
    assert.equal(jb.stats().lost, 0);
  });

  test("a sequence jump (sender restart) resets instead of concealing thousands of packets", () => {
    const jb = new JitterBuffer(labelDecoder(), { minDepthMs: 40 });
    simulate(jb, 20, (n) => n * 20, 20);
    jb.push(packet(0, 30000), 500);
    assert.equal(jb.stats().resets, 1);
    assert.equal(jb.stats().lost, 0);
  });

  test("with G.711: loss is concealed by repeating the last frame with a fade", () => {
    const codec = createPcmuCodec();
    const jb = new JitterBuffer(codec, { minDepthMs: 40 });
    const tone = new Int16Array(160).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * i) / 16)));
    const payload = codec.encode({ samples: tone, sampleRateHz: 8000 });
    const levels: number[] = [];
    for (let n = 0; n < 40; n++) {
      if (n < 10 || n > 13)
        jb.push({ seq: n, timestamp: n * 160, marker: false, payloadType: 0, payload }, n * 20);
      const f = jb.pull();
      levels.push(Math.sqrt(f.samples.reduce((a, v) => a + v * v, 0) / 160));
    }
    assert.equal(jb.stats().lost, 4);
    const concealedLevels = levels.slice(11, 16);
    assert.ok(
      concealedLevels.some((l) => l > 100 && l < 5000),
      levels.join(","),
    );
  });

  test("with Opus at 16 kHz (RTP clock 48000): 320-sample frames, a loss concealed by libopus PLC", () => {
    const enc = createCodec("opus", 48000, { opusSampleRateHz: 16000 }) ?? assert.fail();
    const jb = new JitterBuffer(createCodec("opus", 48000, { opusSampleRateHz: 16000 }) ?? assert.fail());
    const pcm = new Int16Array(320);
    let energyDuringLoss = 0;
    for (let n = 0; n < 60; n++) {
      for (let i = 0; i < 320; i++)
        pcm[i] = Math.round(6000 * Math.sin((2 * Math.PI * 300 * (n * 320 + i)) / 16000));
      const payload = enc.encode({ samples: pcm, sampleRateHz: 16000 });
      if (n !== 30) jb.push({ seq: n, timestamp: n * 960, marker: false, payloadType: 111, payload }, n * 20);
      const f = jb.pull();
      assert.equal(f.samples.length, 320);
      if (n >= 31 && n <= 34) energyDuringLoss += f.samples.reduce((a, v) => a + Math.abs(v), 0);
    }
    assert.equal(jb.stats().lost, 1);
    assert.ok(energyDuringLoss > 0, "PLC output is not silence");
  });

  test("fuzz: random packets and pulls never throw and always give 20 ms", () => {
    const jb = new JitterBuffer(createPcmuCodec());
    let seed = 99;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 5000; i++) {
      const p: JitterPacket = {
        seq: rand(3) === 0 ? rand(70000) - 2000 : (i + rand(5)) & 0xffff,
        timestamp: rand(3) === 0 ? -5 : i * 160 + rand(400),
        marker: rand(2) === 0,
        payloadType: 0,
        payload: new Uint8Array(rand(3) === 0 ? 0 : rand(400)),
      };
      jb.push(p, i * 20 + rand(100) - (rand(50) === 0 ? Number.NaN : 0));
      if (rand(2) === 0) assert.equal(jb.pull().samples.length, 160);
    }
    assert.ok(jb.stats().malformed > 0);
  });
});
