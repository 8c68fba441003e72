import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseRtcpCompound } from "./rtcp-parse.js";
import { serializeRtcpCompound } from "./rtcp-serialize.js";
import { RtcpSessionState, rtcpReportIntervalMs } from "./rtcp-session-state.js";

const epoch0 = 1_763_700_000_000;

/** Sends a compound over the "wire" (serialize + parse) like the adapter would. */
function wire(packets: ReturnType<RtcpSessionState["buildReport"]>) {
  const r = parseRtcpCompound(serializeRtcpCompound(packets));
  assert.ok(r.ok);
  return r.packets;
}

describe("RTCP session state", () => {
  test("SR from us, RR back from the peer: RTT, loss and jitter on both sides", () => {
    const us = new RtcpSessionState({ localSsrc: 0xaaaa, cname: "c1@ringagent", clockRateHz: 8000 });
    const peer = new RtcpSessionState({ localSsrc: 0xbbbb, cname: "peer", clockRateHz: 8000 });
    // Peer receives 50 of our packets, losing seq 10 and 20.
    for (let seq = 0; seq < 50; seq++)
      if (seq !== 10 && seq !== 20) peer.onRtpPacket(0xaaaa, seq, seq * 160, seq * 20);
    // t = 1000 ms: we send an SR; it reaches the peer 40 ms later (one-way).
    const sr = us.buildReport(
      { epochMs: epoch0 + 1000, nowMs: 1000 },
      { packetCount: 50, octetCount: 8000, rtpTimestamp: 8000 },
    );
    assert.equal(sr[0]?.kind, "sr");
    assert.equal(sr[1]?.kind, "sdes");
    peer.onRtcpPackets(wire(sr), { epochMs: epoch0 + 1040, nowMs: 1040 });
    // Peer holds it 500 ms, sends RR at 1540; it reaches us at 1580 (RTT 80 ms).
    const rr = peer.buildReport({ epochMs: epoch0 + 1540, nowMs: 1540 });
    assert.equal(rr[0]?.kind, "rr");
    us.onRtcpPackets(wire(rr), { epochMs: epoch0 + 1580, nowMs: 1580 });
    const remote = us.remoteFigures;
    assert.ok(remote !== undefined);
    assert.ok(remote.roundTripTimeMs !== undefined && Math.abs(remote.roundTripTimeMs - 80) < 0.1);
    assert.equal(remote.cumulativeLost, 2);
    assert.equal(remote.jitterMs, 0);
    assert.deepEqual(peer.localFigures(), [{ ssrc: 0xaaaa, received: 47, cumulativeLost: 2, jitterMs: 0 }]);
  });

  test("BYE compound is led by a report and names our SSRC; peer BYE is recorded", () => {
    const us = new RtcpSessionState({ localSsrc: 1, cname: "x", clockRateHz: 8000 });
    const bye = wire(us.buildBye({ epochMs: epoch0, nowMs: 0 }));
    assert.deepEqual(
      bye.map((p) => p.kind),
      ["rr", "sdes", "bye"],
    );
    const peer = new RtcpSessionState({ localSsrc: 2, cname: "y", clockRateHz: 8000 });
    peer.onRtcpPackets(bye, { epochMs: epoch0, nowMs: 0 });
    assert.equal(peer.byeSsrcs.has(1), true);
  });

  test("remote sources are capped", () => {
    const us = new RtcpSessionState({ localSsrc: 1, cname: "x", clockRateHz: 8000, maxSources: 1 });
    us.onRtpPacket(5, 1, 0, 0);
    assert.equal(us.onRtpPacket(6, 1, 0, 0), false);
    assert.equal(us.ignoredSources, 1);
  });

  test("report interval is randomized over [0.5, 1.5] x 5 s", () => {
    assert.equal(rtcpReportIntervalMs(0), 2500);
    assert.equal(rtcpReportIntervalMs(1), 7500);
    assert.equal(rtcpReportIntervalMs(0.5), 5000);
  });
});
