import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Clock, FakeClock, type Timer } from "../../shared/index.js";
import { LatenessHistogram } from "./lateness-histogram.js";
import { MediaPacer, type PacedSource } from "./media-pacer.js";

/** A FakeClock whose reading can be pushed ahead of its timers (a stalled event loop). */
class StallingClock implements Clock {
  readonly fake = new FakeClock();
  stallMs = 0;
  nowMs(): number {
    return this.fake.nowMs() + this.stallMs;
  }
  epochMs(): number {
    return this.fake.epochMs() + this.stallMs;
  }
  setTimer(delayMs: number, fn: () => void): Timer {
    return this.fake.setTimer(delayMs, fn);
  }
}

function recorder(clock: Clock, sends = true): PacedSource & { ticks: number[]; atMs: number[] } {
  const ticks: number[] = [];
  const atMs: number[] = [];
  return {
    ticks,
    atMs,
    onPacerTick(tickIndex) {
      ticks.push(tickIndex);
      atMs.push(clock.nowMs());
      return sends;
    },
  };
}

describe("MediaPacer", () => {
  test("ticks on start + n*20 ms without accumulating timer lateness", () => {
    const clock = new FakeClock({ startMs: 1000 });
    const pacer = new MediaPacer({ clock });
    const source = recorder(clock);
    pacer.register(source);
    clock.advance(200);
    assert.deepEqual(source.ticks, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(
      source.atMs,
      source.ticks.map((n) => 1000 + n * 20),
    );
    const stats = pacer.stats();
    assert.equal(stats.ticks, 11);
    assert.equal(stats.lateTicks, 0);
    assert.equal(stats.sendLateness.samples, 11);
    assert.equal(stats.sendLateness.p99Ms, 0.1);
  });

  test("a short stall is caught up back to back, a long one skips and counts", () => {
    const clock = new StallingClock();
    const pacer = new MediaPacer({ clock: clock, maxCatchUpTicks: 3 });
    const source = recorder(clock);
    pacer.register(source);
    clock.fake.advance(40); // ticks 0, 1, 2
    assert.deepEqual(source.ticks, [0, 1, 2]);
    clock.stallMs = 45; // the timer for tick 3 fires when the clock reads 60+45 = 105 ms: ticks 3, 4, 5 are due
    clock.fake.advance(20);
    assert.deepEqual(source.ticks, [0, 1, 2, 3, 4, 5]);
    assert.equal(pacer.stats().caughtUpTicks, 2);
    assert.equal(pacer.stats().lateTicks, 2, "ticks 3 and 4 started > 5 ms late");
    clock.stallMs += 200; // 10 more ticks overdue: 3 run, the rest are skipped
    clock.fake.advance(20);
    const last = source.ticks.slice(6);
    assert.equal(last.length, 3);
    assert.deepEqual(last, [last[0], (last[0] ?? 0) + 1, (last[0] ?? 0) + 2]);
    assert.ok(pacer.stats().skippedTicks >= 8);
    // After the skip, ticks are on schedule again: the next one is exactly one interval later.
    const before = source.ticks.length;
    clock.fake.advance(20);
    assert.equal(source.ticks.length, before + 1);
    assert.equal(source.ticks.at(-1), (source.ticks.at(-2) ?? 0) + 1);
  });

  test("stops its timer when the last source leaves and keeps indices increasing", () => {
    const clock = new FakeClock();
    const pacer = new MediaPacer({ clock });
    const a = recorder(clock);
    const leave = pacer.register(a);
    clock.advance(60);
    leave();
    assert.equal(pacer.running, false);
    assert.equal(clock.pendingTimers, 0);
    clock.advance(1000);
    const b = recorder(clock);
    pacer.register(b);
    clock.advance(20);
    assert.ok((b.ticks[0] ?? 0) > (a.ticks.at(-1) ?? 0));
    pacer.unregister(b);
  });

  test("a throwing source is counted and does not stop the others", () => {
    const clock = new FakeClock();
    const pacer = new MediaPacer({ clock });
    const bad: PacedSource = {
      onPacerTick() {
        throw new Error("boom");
      },
    };
    const good = recorder(clock);
    pacer.register(bad);
    pacer.register(good);
    clock.advance(40);
    assert.equal(good.ticks.length, 3);
    assert.equal(pacer.stats().sourceErrors, 3);
    pacer.unregister(bad);
    pacer.unregister(good);
  });

  test("send lateness includes the work of earlier sources in the tick", () => {
    const clock = new StallingClock();
    const pacer = new MediaPacer({ clock });
    const slow: PacedSource = {
      onPacerTick() {
        clock.stallMs += 3; // this source takes 3 ms
        return true;
      },
    };
    pacer.register(slow);
    pacer.register(recorder(clock));
    clock.fake.advance(0);
    const s = pacer.stats().sendLateness;
    assert.equal(s.samples, 2);
    assert.ok(s.maxMs >= 3 && s.maxMs < 3.2, `max ${s.maxMs}`);
    pacer.unregister(slow);
  });

  test("afterPacerTick work runs once every source has sent, so it delays no send", () => {
    const clock = new StallingClock();
    const pacer = new MediaPacer({ clock });
    const order: string[] = [];
    const source = (name: string): PacedSource => ({
      onPacerTick(tickIndex) {
        order.push(`${name} send ${tickIndex}`);
        return true;
      },
      afterPacerTick(tickIndex) {
        order.push(`${name} after ${tickIndex}`);
        clock.stallMs += 4; // receive work: 4 ms per source
        if (name === "b") throw new Error("boom");
      },
    });
    const a = source("a");
    const b = source("b");
    pacer.register(a);
    pacer.register(b);
    clock.fake.advance(0);
    assert.deepEqual(order, ["a send 0", "b send 0", "a after 0", "b after 0"]);
    assert.ok(pacer.stats().sendLateness.maxMs < 0.2, "no send waited behind receive work");
    assert.equal(pacer.stats().sourceErrors, 1, "a throwing afterPacerTick is counted");
    pacer.unregister(a);
    pacer.unregister(b);
  });

  test("send-interval jitter is per source: a stalled tick shows as one long and one short interval", () => {
    const clock = new StallingClock();
    const pacer = new MediaPacer({ clock });
    let tick = 0;
    const staller: PacedSource = {
      onPacerTick(tickIndex) {
        tick = tickIndex;
        if (tickIndex === 1) clock.stallMs += 4; // work that takes 4 ms, once
        return true;
      },
    };
    const after = recorder(clock);
    pacer.register(staller);
    pacer.register(after);
    clock.fake.advance(40);
    assert.equal(tick, 2);
    // Tick 2 stays on the drift-free schedule (due at 40): intervals 24 then 16, 4 ms off each time.
    assert.deepEqual(after.atMs, [0, 24, 40]);
    const s = pacer.stats();
    assert.equal(s.sendIntervalJitter.samples, 4);
    assert.equal(s.sendIntervalJitter.maxMs, 4);
    assert.equal(s.sendLateness.maxMs, 4);
    pacer.unregister(staller);
    clock.fake.advance(20);
    // The remaining source kept its history across the re-indexing: one more sample, exactly 20 ms.
    const later = pacer.stats().sendIntervalJitter;
    assert.equal(later.samples, 5);
    assert.ok(later.p50Ms >= 4 && later.maxMs === 4);
    assert.deepEqual(after.atMs, [0, 24, 40, 60]);
    pacer.unregister(after);
  });
});

describe("LatenessHistogram", () => {
  test("quantiles to 0.1 ms", () => {
    const h = new LatenessHistogram();
    for (let i = 0; i < 99; i++) h.record(1.05);
    h.record(12.34);
    const s = h.summary();
    assert.equal(s.samples, 100);
    assert.ok(Math.abs(s.p50Ms - 1.1) < 1e-9);
    assert.ok(Math.abs(s.p99Ms - 1.1) < 1e-9);
    assert.equal(s.maxMs, 12.34);
    h.record(500);
    assert.equal(h.quantileMs(1), 500, "overflow bin reports the max");
    h.reset();
    assert.equal(h.summary().samples, 0);
  });
});
