import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type LatchEndpoint, RtpSourceLatch } from "./rtp-source-latch.js";

const peer: LatchEndpoint = { address: "198.51.100.7", port: 40000 };
const rebound: LatchEndpoint = { address: "198.51.100.7", port: 40222 };
const attacker: LatchEndpoint = { address: "203.0.113.66", port: 5004 };
const ssrc = 0xabcd;

/** Feeds one packet the way MediaSession does: admit, then (valid packets) confirm. */
function feed(
  latch: RtpSourceLatch,
  from: LatchEndpoint,
  seq: number,
  atMs: number,
  options: { ssrc?: number; authenticated?: boolean } = {},
): "played" | "dropped" {
  const packet = { ssrc: options.ssrc ?? ssrc, sequenceNumber: seq & 0xffff };
  if (!latch.admit(from, packet, atMs, options.authenticated ?? false)) return "dropped";
  latch.confirm(from, packet, atMs);
  return "played";
}

/** A live peer: packets 100.. every 20 ms until `untilMs`. Returns the next sequence number. */
function stream(
  latch: RtpSourceLatch,
  from: LatchEndpoint,
  firstSeq: number,
  fromMs: number,
  untilMs: number,
) {
  let seq = firstSeq;
  for (let t = fromMs; t < untilMs; t += 20) assert.equal(feed(latch, from, seq++, t), "played");
  return seq;
}

describe("RtpSourceLatch (plain RTP)", () => {
  test("latches to the first valid source and stays there", () => {
    const latch = new RtpSourceLatch();
    latch.reset(undefined);
    assert.equal(latch.source, undefined);
    assert.equal(feed(latch, peer, 100, 0), "played");
    assert.deepEqual(latch.source, peer);
    assert.equal(latch.switches, 1);
    stream(latch, peer, 101, 20, 200);
    assert.equal(latch.switches, 1);
  });

  test("a third party with the SSRC and the next sequence numbers cannot take a live stream", () => {
    const latch = new RtpSourceLatch();
    latch.reset(undefined);
    let seq = stream(latch, peer, 100, 0, 200);
    // The injector sends a perfect continuation, interleaved with the live peer, for two seconds.
    let injected = seq + 1;
    for (let t = 200; t < 2200; t += 20) {
      assert.equal(feed(latch, peer, seq++, t), "played");
      assert.equal(feed(latch, attacker, injected++, t + 5), "dropped");
    }
    assert.deepEqual(latch.source, peer);
    assert.equal(latch.rejected, 100);
    assert.equal(latch.switches, 1);
  });

  test("a single packet, or a run out of sequence, does not move the latch even when the peer is quiet", () => {
    const latch = new RtpSourceLatch();
    latch.reset(undefined);
    const next = stream(latch, peer, 100, 0, 200);
    // Peer quiet from 200 ms. Far-off sequence numbers (a guess) never start a run.
    for (let i = 0; i < 10; i++)
      assert.equal(feed(latch, attacker, next + 5000 + i, 1000 + i * 20), "dropped");
    // Numbers that continue the stream but skip (not in a row) never complete a run.
    for (let i = 0; i < 10; i++) assert.equal(feed(latch, attacker, next + i * 2, 2000 + i * 20), "dropped");
    // Behind the stream (old numbers, e.g. replayed captures) neither.
    for (let i = 0; i < 10; i++) assert.equal(feed(latch, attacker, next - 50 + i, 3000 + i * 20), "dropped");
    assert.deepEqual(latch.source, peer);
    assert.equal(latch.rejected, 30);
  });

  test("NAT rebinding: the peer's stream continues from a new port and is followed once the old one is quiet", () => {
    const latch = new RtpSourceLatch();
    latch.reset(undefined);
    let seq = stream(latch, peer, 65530, 0, 200); // wraps through 0
    const outcomes: string[] = [];
    for (let t = 200; t < 500; t += 20) outcomes.push(feed(latch, rebound, seq++, t));
    // Dropped while the run builds and the old source has not yet been quiet 200 ms, then followed.
    const firstPlayed = outcomes.indexOf("played");
    // The old source's last packet came at 180 ms: quiet for 200 ms at 380 ms, the 10th packet.
    assert.equal(firstPlayed, 9);
    assert.ok(outcomes.slice(firstPlayed).every((o) => o === "played"));
    assert.deepEqual(latch.source, rebound);
    assert.equal(latch.switches, 2);
    // The old port cannot come back with stale numbers.
    assert.equal(feed(latch, peer, seq - 30, 600), "dropped");
  });

  test("a new SSRC from a new source is followed only after a long quiet", () => {
    const latch = new RtpSourceLatch({ newSsrcAfterQuietMs: 1000 });
    latch.reset(undefined);
    stream(latch, peer, 100, 0, 200);
    const other = { ssrc: 0x7777 };
    for (let i = 0; i < 20; i++)
      assert.equal(feed(latch, attacker, 9000 + i, 200 + i * 20, other), "dropped");
    assert.equal(
      feed(latch, attacker, 9020, 1170, other),
      "dropped",
      "990 ms of quiet after the last at 180 ms",
    );
    assert.equal(feed(latch, attacker, 9021, 1180, other), "played");
    assert.deepEqual(latch.source, attacker);
    const never = new RtpSourceLatch({ newSsrcAfterQuietMs: Number.POSITIVE_INFINITY });
    never.reset(undefined);
    stream(never, peer, 100, 0, 200);
    for (let i = 0; i < 200; i++) feed(never, attacker, 9000 + i, 10_000 + i * 20, other);
    assert.deepEqual(never.source, peer);
  });

  test("after a re-INVITE (reset) the next valid source latches, and the announced address can take over", () => {
    const latch = new RtpSourceLatch();
    latch.reset(peer);
    stream(latch, peer, 100, 0, 200);
    const newServer: LatchEndpoint = { address: "192.0.2.99", port: 30000 };
    latch.reset(newServer);
    // A straggler from the old server arrives first and latches...
    assert.equal(feed(latch, peer, 110, 220), "played");
    assert.deepEqual(latch.source, peer);
    // ...but the address the re-INVITE announced is followed at its first packet (new SSRC).
    assert.equal(feed(latch, newServer, 5, 240, { ssrc: 0x9999 }), "played");
    assert.deepEqual(latch.source, newServer);
    assert.equal(feed(latch, peer, 111, 260), "dropped");
  });
});

describe("RtpSourceLatch (SRTP)", () => {
  test("an authenticated packet from anywhere moves the latch at once", () => {
    const latch = new RtpSourceLatch();
    latch.reset(undefined);
    stream(latch, peer, 100, 0, 200);
    assert.equal(feed(latch, rebound, 110, 205, { authenticated: true }), "played");
    assert.deepEqual(latch.source, rebound);
    assert.equal(latch.rejected, 0);
  });
});

describe("RtpSourceLatch fuzz", () => {
  test("random sources, SSRCs, numbers and times: never throws; refused packets never move it", () => {
    let x = 12345;
    const rand = (n: number): number => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x % n;
    };
    const sources: LatchEndpoint[] = [peer, rebound, attacker, { address: "::1", port: 9 }];
    for (let round = 0; round < 20; round++) {
      const latch = new RtpSourceLatch({ switchAfterPackets: 1 + rand(5), switchAfterQuietMs: rand(300) });
      latch.reset(rand(2) === 0 ? undefined : sources[rand(sources.length)]);
      let nowMs = 0;
      for (let i = 0; i < 5000; i++) {
        nowMs += rand(40);
        const from = sources[rand(sources.length)] ?? peer;
        const packet = { ssrc: rand(3), sequenceNumber: rand(0x10000) };
        const before = latch.source;
        if (latch.admit(from, packet, nowMs, rand(10) === 0)) latch.confirm(from, packet, nowMs);
        else assert.equal(latch.source, before);
        assert.ok(latch.source !== undefined);
      }
    }
  });
});
