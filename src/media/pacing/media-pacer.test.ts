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
    const pacer = new MediaPacer({ clock, phaseSlots: 1 });
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
    const pacer = new MediaPacer({ clock: clock, maxCatchUpTicks: 3, phaseSlots: 1 });
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
    const pacer = new MediaPacer({ clock, phaseSlots: 1 });
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
    const pacer = new MediaPacer({ clock, phaseSlots: 1 });
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
    const pacer = new MediaPacer({ clock, phaseSlots: 1 });
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
    const pacer = new MediaPacer({ clock, phaseSlots: 1 });
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
    const pacer = new MediaPacer({ clock, phaseSlots: 1 });
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

describe("MediaPacer phase slots", () => {
  test("5 ms sub-ticks: each source sends once per 20 ms in its own slot, slots balanced", () => {
    const clock = new FakeClock({ startMs: 1000 });
    const pacer = new MediaPacer({ clock });
    assert.equal(pacer.tickMs, 5);
    const sources = Array.from({ length: 6 }, () => recorder(clock));
    for (const s of sources) pacer.register(s);
    assert.deepEqual(pacer.stats().slotLoad, [2, 2, 1, 1]);
    clock.advance(60);
    // Source i sits in slot i % 4: sends at sub-ticks slot, slot+4, slot+8 ... (5 ms apart per slot).
    sources.forEach((s, i) => {
      const slot = i % 4;
      const expected = [slot, slot + 4, slot + 8].concat(slot + 12 <= 12 ? [slot + 12] : []);
      assert.deepEqual(s.ticks, expected, `source ${i}`);
      assert.deepEqual(
        s.atMs,
        expected.map((k) => 1000 + k * 5),
      );
    });
    for (const s of sources) pacer.unregister(s);
  });

  test("every source's afterPacerTick runs at every sub-tick, after that sub-tick's sends", () => {
    const clock = new FakeClock();
    const pacer = new MediaPacer({ clock });
    const order: string[] = [];
    const source = (name: string): PacedSource => ({
      onPacerTick(tickIndex) {
        order.push(`${name} send ${tickIndex}`);
        return true;
      },
      afterPacerTick(tickIndex, nowMs) {
        order.push(`${name} after ${tickIndex} @${nowMs}`);
      },
    });
    const a = source("a");
    const b = source("b");
    pacer.register(a);
    pacer.register(b);
    clock.advance(5);
    assert.deepEqual(order, [
      "a send 0",
      "a after 0 @0",
      "b after 0 @0",
      "b send 1",
      "a after 1 @5",
      "b after 1 @5",
    ]);
    pacer.unregister(a);
    pacer.unregister(b);
  });

  test("rephase: the next send comes at the next sub-tick, then every 20 ms from there", () => {
    const clock = new FakeClock();
    const pacer = new MediaPacer({ clock });
    const s = recorder(clock);
    pacer.register(s); // slot 0
    clock.advance(20); // sends at sub-ticks 0 and 4
    assert.deepEqual(s.ticks, [0, 4]);
    clock.advance(2); // between sub-ticks 4 and 5: the next is 5
    assert.equal(pacer.rephase(s), 5);
    clock.advance(43); // to 65
    assert.deepEqual(s.ticks, [0, 4, 5, 9, 13]);
    assert.deepEqual(s.atMs, [0, 20, 25, 45, 65]);
    assert.equal(pacer.stats().rephases, 1);
    // Asking again when the source already owns the next sub-tick's slot (17) changes nothing.
    clock.advance(16); // 81: the next sub-tick is 17, at 85
    assert.equal(pacer.rephase(s), 17);
    assert.equal(pacer.stats().rephases, 1);
    assert.equal(pacer.rephase(recorder(clock)), undefined, "unknown source");
    pacer.unregister(s);
  });

  test("rephase from inside a sub-tick's receive work targets the following sub-tick", () => {
    const clock = new FakeClock();
    const pacer = new MediaPacer({ clock });
    const ticks: number[] = [];
    let asked: number | undefined;
    const s: PacedSource = {
      onPacerTick(tickIndex) {
        ticks.push(tickIndex);
        return true;
      },
      afterPacerTick(tickIndex) {
        if (tickIndex === 6) asked = pacer.rephase(s);
      },
    };
    pacer.register(s);
    clock.advance(40);
    assert.equal(asked, 7);
    assert.deepEqual(ticks, [0, 4, 7]);
    pacer.unregister(s);
  });

  test("a stall is caught up in sub-ticks up to maxCatchUpTicks frames", () => {
    const clock = new StallingClock();
    const pacer = new MediaPacer({ clock, maxCatchUpTicks: 2 });
    const s = recorder(clock);
    pacer.register(s);
    clock.fake.advance(0);
    clock.stallMs = 30; // the timer for sub-tick 1 fires at 35: sub-ticks 1..7 due, all within 2 frames
    clock.fake.advance(5);
    assert.deepEqual(s.ticks, [0, 4]);
    assert.equal(pacer.stats().caughtUpTicks, 6);
    assert.equal(pacer.stats().skippedTicks, 0);
    clock.stallMs += 100; // 20 more sub-ticks overdue: the last 8 run, the rest are skipped
    clock.fake.advance(5);
    assert.equal(pacer.stats().skippedTicks, 13);
    assert.deepEqual(s.ticks.slice(2), [24, 28]);
    pacer.unregister(s);
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
