import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { AudioFrame } from "../../media/index.js";
import { FakePlayoutSink } from "../../pipeline/index.js";
import { FakeClock } from "../../shared/index.js";
import { heardPrefix, RealtimePlayout } from "./realtime-playout.js";
import { ResponseTracker } from "./response-tracker.js";

const frame = (): AudioFrame => ({ samples: new Int16Array(320).fill(1000), sampleRateHz: 16000 });

async function advance(clock: FakeClock, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 20) {
    clock.advance(20);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

describe("RealtimePlayout", () => {
  test("one utterance per item; barge-in flushes at once and reports the item's wire position", async () => {
    const clock = new FakeClock();
    const sink = new FakePlayoutSink(clock);
    const started: string[] = [];
    const playout = new RealtimePlayout(sink, (id) => started.push(id));
    for (let i = 0; i < 50; i++) playout.write("item_a", frame());
    assert.deepEqual(started, ["item_a"]);
    assert.equal(playout.playing, true);
    await advance(clock, 300);
    const cut = playout.cut();
    assert.equal(cut.itemId, "item_a");
    assert.equal(cut.playedMs, 300);
    const sentAtCut = sink.sent.length;
    // Late audio of the cut item is dropped; nothing more leaves.
    playout.write("item_a", frame());
    await advance(clock, 200);
    assert.equal(sink.sent.length, sentAtCut);
    await playout.idle();
    assert.equal(playout.playing, false);
    // A new item starts a new utterance and plays out after endItem().
    playout.write("item_b", frame());
    playout.write("item_b", frame());
    playout.endItem();
    assert.deepEqual(started, ["item_a", "item_b"]);
    await advance(clock, 100);
    await playout.idle();
    assert.equal(sink.sent.filter((s) => s.utteranceId === "item_b").length, 2);
    assert.deepEqual(playout.cut(), { itemId: undefined, playedMs: 0 });
    sink.stop();
  });
});

describe("heardPrefix", () => {
  test("the words in proportion to the audio heard, cut at a word boundary", () => {
    const text = "We are open from nine to five";
    assert.equal(heardPrefix(text, 0, 3000), "");
    assert.equal(heardPrefix(text, 3000, 3000), text);
    assert.equal(heardPrefix(text, 1500, 3000), "We are open");
    assert.equal(heardPrefix(text, 100, 3000), "");
    assert.equal(heardPrefix(text, 500, 0), "");
  });
});

describe("ResponseTracker", () => {
  test("done() waits for close() only while a response is open, and gives up on abort", async () => {
    const tracker = new ResponseTracker();
    const signal = new AbortController();
    await tracker.done(signal.signal); // nothing open: at once
    tracker.open();
    let released = false;
    const waiting = tracker.done(signal.signal).then(() => {
      released = true;
    });
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(released, false);
    tracker.close();
    await waiting;
    assert.equal(released, true);
    tracker.open();
    const aborted = tracker.done(signal.signal);
    signal.abort();
    await aborted;
    assert.equal(tracker.isOpen, true);
  });
});
