import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RtpReceiveStats } from "../rtp/rtp-receive-stats.js";
import { ntpFromUnixMs, ntpMiddle32 } from "./ntp-time.js";
import { parseRtcpCompound } from "./rtcp-parse.js";
import {
  buildReceiverReport,
  buildSenderReport,
  remoteReceptionFigures,
  roundTripTimeMs,
} from "./rtcp-report.js";
import { serializeRtcpCompound } from "./rtcp-serialize.js";

const t0 = 1_763_700_000_000;

describe("RTCP reports", () => {
  test("SR from counters and stats survives the wire and carries loss, jitter, LSR/DLSR", () => {
    const stats = new RtpReceiveStats(0xaabbccdd, 8000);
    for (let seq = 0; seq < 100; seq++) if (seq % 10 !== 5) stats.onPacket(seq, seq * 160, t0 + seq * 20);
    const peerSr = ntpFromUnixMs(t0 + 1000);
    stats.recordSenderReport(ntpMiddle32(peerSr), 1000); // monotonic ms

    const sr = buildSenderReport(
      { ssrc: 1, packetCount: 50, octetCount: 8000, rtpTimestamp: 123456 },
      [stats],
      { epochMs: t0 + 2000, nowMs: 2000 },
    );
    const parsed = parseRtcpCompound(serializeRtcpCompound([sr]));
    assert.ok(parsed.ok);
    const wire = parsed.packets[0];
    assert.ok(wire?.kind === "sr");
    assert.deepEqual(wire.ntpTimestamp, ntpFromUnixMs(t0 + 2000));
    assert.equal(wire.packetCount, 50);
    const block = wire.reports[0];
    assert.ok(block !== undefined);
    assert.equal(block.ssrc, 0xaabbccdd);
    // Probation consumed seq 0; base is 1, highest 99: expected 99, received 89 (seq 5..95 step 10 lost).
    assert.equal(block.extendedHighestSequence, 99);
    assert.equal(block.cumulativeLost, 10);
    assert.equal(block.fractionLost, Math.floor((10 * 256) / 99));
    assert.equal(block.jitter, 0);
    assert.equal(block.lastSenderReport, ntpMiddle32(peerSr));
    assert.equal(block.delaySinceLastSenderReport, 65536);
  });

  test("RR skips sources still on probation", () => {
    const onProbation = new RtpReceiveStats(5, 8000);
    onProbation.onPacket(1, 0, t0);
    assert.deepEqual(buildReceiverReport(9, [onProbation], { epochMs: t0, nowMs: 0 }), {
      kind: "rr",
      ssrc: 9,
      reports: [],
    });
  });

  test("round-trip time from LSR/DLSR (RFC 3550 6.4.1)", () => {
    // We sent an SR at t0; the peer held it 250 ms; its RR arrives at t0 + 400 ms: RTT 150 ms.
    const lsr = ntpMiddle32(ntpFromUnixMs(t0));
    const block = {
      ssrc: 1,
      fractionLost: 64,
      cumulativeLost: 3,
      extendedHighestSequence: 0,
      jitter: 80,
      lastSenderReport: lsr,
      delaySinceLastSenderReport: Math.round(0.25 * 65536),
    };
    const rtt = roundTripTimeMs(block, t0 + 400);
    assert.ok(rtt !== undefined && Math.abs(rtt - 150) < 0.1, `rtt ${rtt}`);
    assert.equal(roundTripTimeMs({ ...block, lastSenderReport: 0 }, t0 + 400), undefined);
    assert.equal(roundTripTimeMs(block, t0 + 100), undefined);
    const figures = remoteReceptionFigures(block, 8000, t0 + 400);
    assert.equal(figures.fractionLost, 0.25);
    assert.equal(figures.jitterMs, 10);
    assert.equal(figures.cumulativeLost, 3);
  });
});
