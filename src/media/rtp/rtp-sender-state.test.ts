import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RtpSenderState, randomSsrc } from "./rtp-sender-state.js";

describe("RTP sender state", () => {
  test("sequence and timestamp wrap, counters feed the SR", () => {
    const s = new RtpSenderState({
      ssrc: 9,
      payloadType: 0,
      clockRateHz: 8000,
      initialSequenceNumber: 65535,
      initialTimestamp: 0xffffff60,
    });
    assert.deepEqual(s.next(160), { sequenceNumber: 65535, timestamp: 0xffffff60 });
    s.advance(160);
    assert.deepEqual(s.next(160), { sequenceNumber: 0, timestamp: 0 });
    s.advance(160);
    assert.equal(s.timestamp, 160);
    assert.equal(s.packetCount, 2);
    assert.equal(s.octetCount, 320);
  });

  test("initial values are random when not given", () => {
    const seen = new Set<number>();
    for (let i = 0; i < 8; i++)
      seen.add(new RtpSenderState({ ssrc: 1, payloadType: 0, clockRateHz: 8000 }).next(0).sequenceNumber);
    assert.ok(seen.size > 1);
    assert.notEqual(randomSsrc(), randomSsrc());
  });
});
