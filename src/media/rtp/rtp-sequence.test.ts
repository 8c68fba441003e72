import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  ExtendedSequenceTracker,
  seqAdd,
  seqDiff,
  seqNewer,
  timestampAdd,
  timestampDiff,
  timestampNewer,
} from "./rtp-sequence.js";

describe("RTP wraparound helpers", () => {
  test("sequence numbers compare across 65535 -> 0", () => {
    assert.equal(seqNewer(0, 65535), true);
    assert.equal(seqNewer(65535, 0), false);
    assert.equal(seqDiff(2, 65534), 4);
    assert.equal(seqDiff(65534, 2), -4);
    assert.equal(seqDiff(100, 100), 0);
    assert.equal(seqNewer(5, 5), false);
    assert.equal(seqAdd(65535, 1), 0);
    assert.equal(seqDiff(0x8000, 0), -0x8000);
  });

  test("timestamps compare across 2^32", () => {
    assert.equal(timestampDiff(10, 0xfffffff6), 20);
    assert.equal(timestampDiff(0xfffffff6, 10), -20);
    assert.equal(timestampNewer(159, 0xffffffff), true);
    assert.equal(timestampAdd(0xffffff60, 160), 0);
    assert.equal(timestampAdd(0xffffff60, 161), 1);
  });

  test("extended sequence tracking counts cycles and maps late packets below", () => {
    const t = new ExtendedSequenceTracker();
    assert.equal(t.highest, -1);
    assert.equal(t.update(65534), 65534);
    assert.equal(t.update(65535), 65535);
    assert.equal(t.update(0), 65536);
    assert.equal(t.update(65533), 65533); // late packet from the previous cycle
    assert.equal(t.highest, 65536);
    assert.equal(t.update(2), 65538);
    let seq = 2;
    for (let i = 0; i < 70000; i++) {
      seq = seqAdd(seq, 1);
      t.update(seq);
    }
    assert.equal(t.highest, 65538 + 70000);
  });
});
