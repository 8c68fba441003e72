import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RtpReceiveStats } from "./rtp-receive-stats.js";

describe("RTP receive statistics (RFC 3550 A.1, A.3, A.8)", () => {
  test("probation: the first packet is not valid, the second in sequence is", () => {
    const s = new RtpReceiveStats(1, 8000);
    assert.equal(s.onPacket(100, 0, 0), false);
    assert.equal(s.valid, false);
    assert.equal(s.onPacket(101, 160, 20), true);
    assert.equal(s.valid, true);
    assert.equal(s.received, 1);
    assert.equal(s.expected, 1);
  });

  test("probation restarts on a non-sequential packet", () => {
    const s = new RtpReceiveStats(1, 8000);
    s.onPacket(100, 0, 0);
    assert.equal(s.onPacket(200, 0, 0), false);
    assert.equal(s.onPacket(201, 0, 0), true);
    assert.equal(s.extendedHighestSequence, 201);
  });

  test("counts loss and fraction lost per interval across a sequence wrap", () => {
    const s = new RtpReceiveStats(1, 8000);
    let ts = 0;
    let ms = 0;
    // 65530..65535, 0..13 with 4 of them dropped
    const seqs: number[] = [];
    for (let seq = 65530; seq !== 14; seq = (seq + 1) & 0xffff) seqs.push(seq);
    const dropped = new Set([65534, 2, 3, 7]);
    for (const seq of seqs) {
      ts += 160;
      ms += 20;
      if (!dropped.has(seq)) s.onPacket(seq, ts, ms);
    }
    // base is 65531 (probation ended there); highest is 65536 + 13.
    assert.equal(s.extendedHighestSequence, 65536 + 13);
    assert.equal(s.expected, 65536 + 13 - 65531 + 1);
    assert.equal(s.cumulativeLost, 4);
    const first = s.takeReportInterval();
    assert.equal(first.cumulativeLost, 4);
    assert.equal(first.fractionLost, Math.floor((4 * 256) / 19));
    // Next interval: no loss.
    for (let seq = 14; seq < 24; seq++) {
      ts += 160;
      ms += 20;
      s.onPacket(seq, ts, ms);
    }
    assert.deepEqual(s.takeReportInterval(), { fractionLost: 0, cumulativeLost: 4 });
  });

  test("duplicates make cumulative loss negative, as the RFC allows, and fraction 0", () => {
    const s = new RtpReceiveStats(1, 8000);
    s.onPacket(1, 0, 0);
    s.onPacket(2, 0, 0);
    s.onPacket(2, 0, 0);
    assert.equal(s.cumulativeLost, -1);
    assert.equal(s.takeReportInterval().fractionLost, 0);
  });

  test("a large jump is rejected once, then accepted as a restart on the next sequential packet", () => {
    const s = new RtpReceiveStats(1, 8000);
    s.onPacket(10, 0, 0);
    s.onPacket(11, 0, 0);
    assert.equal(s.onPacket(30000, 0, 0), false);
    assert.equal(s.rejected, 2); // probation packet + jump
    assert.equal(s.onPacket(30001, 0, 0), true);
    assert.equal(s.extendedHighestSequence, 30001);
    assert.equal(s.expected, 1);
  });

  test("jitter is zero for perfectly paced packets and converges for alternating delay", () => {
    const paced = new RtpReceiveStats(1, 8000);
    for (let i = 0; i < 50; i++) paced.onPacket(i, 0xffffff00 + i * 160, i * 20);
    assert.equal(paced.jitterTimestampUnits, 0);

    const s = new RtpReceiveStats(1, 8000);
    // Arrival alternates +0/+5 ms around the 20 ms grid: |D| = 40 timestamp units every packet.
    for (let i = 0; i < 400; i++) s.onPacket(i, i * 160, i * 20 + (i % 2 === 0 ? 0 : 5));
    assert.ok(Math.abs(s.jitterTimestampUnits - 40) <= 1, `jitter ${s.jitterTimestampUnits}`);
    assert.ok(Math.abs(s.jitterMs - 5) < 0.1);
  });

  test("DLSR/LSR from the last sender report", () => {
    const s = new RtpReceiveStats(1, 8000);
    assert.equal(s.lastSenderReportNtpMiddle, 0);
    assert.equal(s.delaySinceLastSenderReport(1000), 0);
    s.recordSenderReport(0x12345678, 1000);
    assert.equal(s.lastSenderReportNtpMiddle, 0x12345678);
    assert.equal(s.delaySinceLastSenderReport(1500), 32768);
  });
});
