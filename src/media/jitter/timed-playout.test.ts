import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { AudioFrame } from "../audio/audio-frame.js";
import { JitterBuffer } from "./jitter-buffer.js";
import type { JitterDecoder } from "./jitter-types.js";
import { TimedPlayout, type TimedPlayoutOptions } from "./timed-playout.js";

/** Every sample of a decoded frame = payload[0] + 1 (so packet n plays as n + 1); PLC = -1. */
function labelDecoder(): JitterDecoder {
  return {
    sampleRateHz: 8000,
    clockRateHz: 8000,
    decode(payload: Uint8Array): AudioFrame[] {
      return [{ samples: new Int16Array(160).fill((payload[0] ?? 0) + 1), sampleRateHz: 8000 }];
    },
    plc(): AudioFrame {
      return { samples: new Int16Array(160).fill(-1), sampleRateHz: 8000 };
    },
  };
}

interface Out {
  readonly label: number;
  readonly atMs: number;
}

/**
 * Packet n (20 ms of audio, RTP timestamp n * 160) arrives at `arrival(n)` (undefined: lost); the
 * pacer asks for due frames every 5 ms sub-tick, as MediaSession.afterPacerTick does.
 */
function simulate(
  count: number,
  arrival: (n: number) => number | undefined,
  untilMs: number,
  options: Partial<TimedPlayoutOptions> = {},
): { out: Out[]; playout: TimedPlayout } {
  const jb = new JitterBuffer(labelDecoder());
  const playout = new TimedPlayout(jb, options);
  const events = Array.from({ length: count }, (_, n) => ({ n, at: arrival(n) }))
    .filter((e): e is { n: number; at: number } => e.at !== undefined)
    .sort((a, b) => a.at - b.at);
  const out: Out[] = [];
  let next = 0;
  for (let t = 0; t <= untilMs; t += 5) {
    for (let e = events[next]; e !== undefined && e.at <= t; e = events[++next]) {
      const payload = Uint8Array.of(e.n % 250);
      const outcome = jb.push(
        { seq: (5000 + e.n) & 0xffff, timestamp: e.n * 160, marker: false, payloadType: 0, payload },
        e.at,
      );
      if (outcome === "accepted") playout.onAccepted(e.at);
    }
    for (let i = 0; i < 8; i++) {
      const frame = playout.pullDue(t);
      if (frame === undefined) break;
      assert.equal(frame.samples.length, 160);
      out.push({ label: frame.samples[0] ?? 0, atMs: t });
    }
  }
  return { out, playout };
}

/** When packet n (label n + 1) was released. */
function releasedAt(out: readonly Out[], n: number): number | undefined {
  return out.find((o) => o.label === n + 1)?.atMs;
}

describe("TimedPlayout", () => {
  test("a clean stream is released at the first sub-tick after each arrival, in order", () => {
    const { out, playout } = simulate(50, (n) => n * 20 + 2, 1300);
    const played = out.filter((o) => o.label > 0).map((o) => o.label - 1);
    assert.deepEqual(
      played,
      Array.from({ length: 50 }, (_, n) => n),
    );
    for (let n = 0; n < 50; n++) {
      const wait = (releasedAt(out, n) ?? Infinity) - (n * 20 + 2);
      assert.ok(wait >= 0 && wait < 5, `packet ${n} waited ${wait} ms`);
    }
    assert.equal(playout.jitter.stats().concealed, 5, "only the 5 underruns after the stream ended");
    assert.equal(playout.stats().reanchors, 0);
  });

  test("after the stream stops: 5 concealed frames, then a silent frame every 20 ms", () => {
    const { out, playout } = simulate(10, (n) => n * 20, 600);
    const tail = out.slice(10);
    assert.deepEqual(
      tail.slice(0, 5).map((o) => o.label),
      [-1, -1, -1, -1, -1],
    );
    assert.ok(tail.slice(5).every((o) => o.label === 0));
    // (the last concealment came one sub-tick late: it waited for a second look, see below)
    const gaps = tail.slice(7).map((o, i) => o.atMs - (tail[6 + i]?.atMs ?? 0));
    assert.ok(gaps.length > 10 && gaps.every((g) => g === 20), `idle cadence ${gaps.join(",")}`);
    assert.equal(playout.playing, false);
  });

  test("a talkspurt after idle is anchored on its first arrival", () => {
    const arrival = (n: number): number | undefined => (n < 10 ? n * 20 : n >= 30 ? n * 20 + 3 : undefined);
    const { out } = simulate(40, arrival, 1000);
    const first = releasedAt(out, 30) ?? Infinity;
    assert.ok(first - 603 >= 0 && first - 603 < 5, `released ${first}`);
  });

  test("a late packet is waited for, not concealed, and later ones follow it", () => {
    const arrival = (n: number): number => n * 20 + (n === 10 ? 14 : 1);
    const { out, playout } = simulate(30, arrival, 700);
    const played = out.filter((o) => o.label !== 0).slice(0, 30);
    assert.deepEqual(
      played.map((o) => o.label - 1),
      Array.from({ length: 30 }, (_, n) => n),
    );
    assert.equal(releasedAt(out, 10), 215);
    assert.equal(playout.stats().reanchors, 1);
  });

  test("after our own stall, a packet still unread in the socket is not concealed", () => {
    const jb = new JitterBuffer(labelDecoder());
    const playout = new TimedPlayout(jb);
    const push = (n: number, atMs: number): void => {
      const packet = { seq: n, timestamp: n * 160, marker: false, payloadType: 0, payload: Uint8Array.of(n) };
      if (jb.push(packet, atMs) === "accepted") playout.onAccepted(atMs);
    };
    push(0, 0);
    assert.equal(playout.pullDue(0)?.samples[0], 1);
    // The event loop stalls 80 ms: the pacer's sub-tick runs before the socket read of packet 1.
    assert.equal(playout.pullDue(80), undefined, "first look: wait for the socket read");
    assert.equal(playout.pullDue(80.2), undefined, "catch-up sub-ticks in the same timer callback too");
    push(1, 80.3);
    assert.equal(playout.pullDue(90)?.samples[0], 2, "packet 1 plays (re-anchored on it), nothing concealed");
    assert.equal(jb.stats().concealed, 0);
    // Really missing: concealed at the first look at least 1 ms after the first overdue one.
    assert.equal(playout.pullDue(200), undefined);
    assert.equal(playout.pullDue(201)?.samples[0], -1);
  });

  test("a lost packet is concealed in its place; a reordered one plays in order", () => {
    const arrival = (n: number): number | undefined =>
      n === 5 ? undefined : n === 12 ? 12 * 20 + 6 : n * 20;
    const { out } = simulate(20, arrival, 450);
    const labels = out.slice(0, 20).map((o) => o.label);
    const expected = Array.from({ length: 20 }, (_, n) => (n === 5 ? -1 : n + 1));
    assert.deepEqual(labels, expected);
  });

  test("delay left by a burst (underrun then catch-up) shrinks back within a few hundred ms", () => {
    // Packets 10..14 are held up and arrive together at 300 ms (a stalled path), the rest on time.
    const arrival = (n: number): number => (n >= 10 && n <= 14 ? 300 : n * 20 + 1);
    const { out, playout } = simulate(60, arrival, 1300);
    const played = out.filter((o) => o.label > 0).map((o) => o.label - 1);
    assert.deepEqual(
      played,
      Array.from({ length: 60 }, (_, n) => n),
      "nothing dropped or repeated",
    );
    for (let n = 30; n < 60; n++) {
      const wait = (releasedAt(out, n) ?? Infinity) - (n * 20 + 1);
      assert.ok(wait < 5 + 1 + playout.marginMs, `packet ${n} waited ${wait} ms`);
    }
    assert.ok(playout.stats().shrinks >= 1);
  });

  test("packets that are here are released at once; releaseEarly: false keeps the 20 ms cadence", () => {
    // Packets 10..14 are held up and arrive together at 300 ms, after packet 15 would be due.
    const arrival = (n: number): number => (n >= 10 && n <= 14 ? 300 : n * 20 + 1);
    const early = simulate(40, arrival, 900).out;
    assert.deepEqual(
      [10, 11, 12, 13, 14].map((n) => releasedAt(early, n)),
      [300, 300, 300, 300, 300],
    );
    const steady = simulate(40, arrival, 900, { releaseEarly: false }).out;
    const times = [10, 11, 12, 13, 14].map((n) => releasedAt(steady, n) ?? 0);
    assert.deepEqual(
      times.slice(1).map((t, i) => t - (times[i] ?? 0)),
      [20, 20, 20, 20],
    );
    // A stream that comes early is not released early without it: each frame waits for its due time.
    const burst = simulate(10, () => 0, 300, { releaseEarly: false }).out.filter((o) => o.label > 0);
    assert.deepEqual(
      burst.map((o) => o.atMs),
      [0, 20, 40, 60, 80, 100, 120, 140, 160, 180],
    );
  });

  test("sender clock drift either way: no frame dropped, inserted or concealed, delay bounded", () => {
    for (const periodMs of [19.8, 20.2]) {
      // 240 packets (labels are unique below 250): 48 ms of drift, more than two frames.
      const { out, playout } = simulate(240, (n) => n * periodMs + 1, 240 * periodMs);
      const played = out.filter((o) => o.label > 0).map((o) => o.label - 1);
      assert.equal(played.length, 240, `period ${periodMs}`);
      assert.ok(played.every((n, i) => n === i));
      for (let n = 0; n < 240; n++) {
        const wait = (releasedAt(out, n) ?? Infinity) - (n * periodMs + 1);
        assert.ok(wait >= 0 && wait < 5 + 4 + 1, `period ${periodMs}: packet ${n} waited ${wait} ms`);
      }
      assert.ok(out.filter((o) => o.label === -1).length <= 5);
      assert.equal(playout.jitter.stats().driftDropped, 0);
    }
  });

  test("jittered arrivals: the margin follows the jitter estimate, everything plays in order", () => {
    let seed = 7;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const delays = Array.from({ length: 240 }, () => 2 + rand() * 12);
    const { out, playout } = simulate(240, (n) => n * 20 + (delays[n] ?? 0), 5200);
    const played = out.filter((o) => o.label > 0).map((o) => o.label - 1);
    assert.equal(played.length, 240);
    assert.ok(played.every((n, i) => n === i));
    assert.ok(playout.marginMs > 1 && playout.marginMs < 10, `margin ${playout.marginMs}`);
    assert.equal(out.filter((o) => o.label === -1).length, 5, "no concealment before the stream ended");
  });
});
