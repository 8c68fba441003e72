import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseRtpPacket, serializeRtpPacket } from "../rtp/rtp-packet.js";
import { estimateRoc } from "./srtp-index.js";
import { generateSrtpMasterKey } from "./srtp-inline-key.js";
import { SrtpReplayWindow } from "./srtp-replay-window.js";
import { type SrtpKeyMaterial, SrtpSession } from "./srtp-session.js";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

function rtp(seq: number, ssrc = 0x11223344, payloadBytes = 160): Uint8Array {
  const payload = new Uint8Array(payloadBytes).fill(seq & 0xff);
  return serializeRtpPacket({
    marker: false,
    payloadType: 0,
    sequenceNumber: seq,
    timestamp: seq * 160,
    ssrc,
    csrcs: [],
    payload,
    paddingBytes: 0,
  });
}

function pair(suite: SrtpKeyMaterial["suite"] = "AES_CM_128_HMAC_SHA1_80"): {
  tx: SrtpSession;
  rx: SrtpSession;
} {
  const key = generateSrtpMasterKey(suite);
  return { tx: new SrtpSession({ suite, ...key }), rx: new SrtpSession({ suite, ...key }) };
}

function protect(s: SrtpSession, packet: Uint8Array): Uint8Array {
  const r = s.protectRtp(packet);
  assert.ok(r.ok);
  return r.packet;
}

describe("SRTP session", () => {
  test("round trip keeps the header clear and the payload encrypted", () => {
    const { tx, rx } = pair();
    const plain = rtp(7);
    const wire = protect(tx, plain);
    assert.equal(wire.length, plain.length + 10);
    assert.equal(hex(wire.subarray(0, 12)), hex(plain.subarray(0, 12)));
    assert.notEqual(hex(wire.subarray(12, plain.length)), hex(plain.subarray(12)));
    const r = rx.unprotectRtp(wire);
    assert.ok(r.ok);
    assert.deepEqual(r.packet, plain);
    assert.equal(rx.counters.rtpUnprotected, 1);
  });

  test("ROC advances across 65535 -> 0 on both sides, including a late packet from the old cycle", () => {
    const { tx, rx } = pair();
    const wires = new Map<number, Uint8Array>();
    for (const seq of [65533, 65534, 65535, 0, 1, 2]) wires.set(seq, protect(tx, rtp(seq)));
    const order = [65533, 65535, 0, 65534, 1, 2]; // 65534 arrives after the wrap
    for (const seq of order) {
      const r = rx.unprotectRtp(wires.get(seq) ?? new Uint8Array());
      assert.ok(r.ok, `seq ${seq}`);
      const parsed = parseRtpPacket(r.packet);
      assert.ok(parsed.ok);
      assert.equal(parsed.packet.payload[0], seq & 0xff);
    }
  });

  test("ROC is bound into the tag: a receiver that missed the wrap rejects, a tracking one accepts", () => {
    const key = generateSrtpMasterKey();
    const tx = new SrtpSession({ suite: "AES_CM_128_HMAC_SHA1_80", ...key });
    for (let seq = 0; seq < 65536; seq += 1) tx.protectRtp(rtp(seq, 1, 1));
    const afterWrap = protect(tx, rtp(5, 1, 1)); // ROC 1
    const fresh = new SrtpSession({ suite: "AES_CM_128_HMAC_SHA1_80", ...key });
    const r = fresh.unprotectRtp(afterWrap); // assumes ROC 0
    assert.deepEqual(r, { ok: false, failure: "auth-failed" });
    assert.equal(fresh.counters.authFailures, 1);
  });

  test("replayed and too-old packets are rejected and counted", () => {
    const { tx, rx } = pair();
    const wires: Uint8Array[] = [];
    for (let seq = 100; seq < 200; seq++) wires.push(protect(tx, rtp(seq)));
    const first = wires[0] ?? new Uint8Array();
    assert.ok(rx.unprotectRtp(first).ok);
    assert.deepEqual(rx.unprotectRtp(first), { ok: false, failure: "replayed" });
    for (const w of wires.slice(1)) assert.ok(rx.unprotectRtp(w).ok);
    // seq 150 is inside the window of highest 199 but already seen; seq 100 is older than 64.
    assert.deepEqual(rx.unprotectRtp(wires[50] ?? new Uint8Array()), { ok: false, failure: "replayed" });
    assert.deepEqual(rx.unprotectRtp(first), { ok: false, failure: "replayed" });
    assert.equal(rx.counters.replays, 3);
  });

  test("tampered header, payload or tag fails authentication and does not advance state", () => {
    const { tx, rx } = pair();
    const wire = protect(tx, rtp(10));
    for (const at of [1, 3, 20, wire.length - 1]) {
      const bad = Uint8Array.from(wire);
      bad[at] = (bad[at] ?? 0) ^ 0x01;
      assert.deepEqual(rx.unprotectRtp(bad), { ok: false, failure: "auth-failed" });
    }
    assert.equal(rx.counters.authFailures, 4);
    assert.equal(rx.ssrcCount, 0);
    assert.ok(rx.unprotectRtp(wire).ok);
  });

  test("too-short and malformed packets are counted as malformed", () => {
    const { rx } = pair();
    assert.deepEqual(rx.unprotectRtp(new Uint8Array(15)), { ok: false, failure: "too-short" });
    const badCsrc = new Uint8Array(30);
    badCsrc[0] = 0x8f; // 15 CSRCs cannot fit
    assert.deepEqual(rx.unprotectRtp(badCsrc), { ok: false, failure: "malformed" });
    assert.deepEqual(rx.protectRtp(new Uint8Array(4)), { ok: false, failure: "too-short" });
    assert.deepEqual(rx.unprotectRtcp(new Uint8Array(21)), { ok: false, failure: "too-short" });
    assert.equal(rx.counters.malformed, 4);
  });

  test("AES_CM_128_HMAC_SHA1_32 uses a 4-byte RTP tag and a 10-byte SRTCP tag", () => {
    const { tx, rx } = pair("AES_CM_128_HMAC_SHA1_32");
    const plain = rtp(1);
    const wire = protect(tx, plain);
    assert.equal(wire.length, plain.length + 4);
    assert.ok(rx.unprotectRtp(wire).ok);
    const rtcp = Uint8Array.from(Buffer.from("80c9000100000007", "hex"));
    const srtcp = tx.protectRtcp(rtcp);
    assert.ok(srtcp.ok);
    assert.equal(srtcp.packet.length, 8 + 4 + 10);
    const back = rx.unprotectRtcp(srtcp.packet);
    assert.ok(back.ok);
    assert.deepEqual(back.packet, rtcp);
  });

  test("SRTCP round trip, index increments, replay and tamper rejected", () => {
    const { tx, rx } = pair();
    const rtcp = Uint8Array.from(
      Buffer.from("80c90007000000070102030405060708090a0b0c0d0e0f1011121314151617", "hex"),
    );
    const a = tx.protectRtcp(rtcp);
    const b = tx.protectRtcp(rtcp);
    assert.ok(a.ok && b.ok);
    assert.equal(Buffer.from(a.packet).readUInt32BE(rtcp.length), 0x80000000);
    assert.equal(Buffer.from(b.packet).readUInt32BE(rtcp.length), 0x80000001);
    assert.notEqual(hex(a.packet.subarray(8, rtcp.length)), hex(rtcp.subarray(8)));
    const ra = rx.unprotectRtcp(a.packet);
    assert.ok(ra.ok);
    assert.deepEqual(ra.packet, rtcp);
    assert.deepEqual(rx.unprotectRtcp(a.packet), { ok: false, failure: "replayed" });
    const bad = Uint8Array.from(b.packet);
    bad[10] = (bad[10] ?? 0) ^ 0xff;
    assert.deepEqual(rx.unprotectRtcp(bad), { ok: false, failure: "auth-failed" });
    const inPlace = Uint8Array.from(b.packet);
    const rb = rx.unprotectRtcp(inPlace, true);
    assert.ok(rb.ok);
    assert.equal(rb.packet.buffer, inPlace.buffer);
    assert.deepEqual(rb.packet, rtcp);
  });

  test("separate SSRCs have separate contexts", () => {
    const { tx, rx } = pair();
    const a = protect(tx, rtp(1, 0xa));
    const b = protect(tx, rtp(1, 0xb));
    assert.ok(rx.unprotectRtp(a).ok);
    assert.ok(rx.unprotectRtp(b).ok);
    assert.equal(rx.ssrcCount, 2);
    rx.forgetSsrc(0xa);
    assert.equal(rx.ssrcCount, 1);
  });

  test("SSRC contexts are capped, evicting the oldest", () => {
    const key = generateSrtpMasterKey();
    const tx = new SrtpSession({ suite: "AES_CM_128_HMAC_SHA1_80", ...key });
    const rx = new SrtpSession({ suite: "AES_CM_128_HMAC_SHA1_80", ...key }, { maxSsrcContexts: 2 });
    for (const ssrc of [1, 2, 3]) assert.ok(rx.unprotectRtp(protect(tx, rtp(1, ssrc))).ok);
    assert.equal(rx.ssrcCount, 2);
    assert.equal(tx.ssrcCount, 3);
  });
});

describe("SRTP index estimation and replay window", () => {
  test("RFC 3711 Appendix A guesses", () => {
    assert.equal(estimateRoc(0, 65535, 0), 1);
    assert.equal(estimateRoc(3, 65000, 100), 4);
    assert.equal(estimateRoc(4, 100, 65000), 3);
    assert.equal(estimateRoc(4, 100, 200), 4);
    assert.equal(estimateRoc(0, 10, 40000), -1);
  });

  test("window of 64: fresh, replayed, too-old", () => {
    const w = new SrtpReplayWindow();
    assert.equal(w.check(1000), "fresh");
    w.accept(1000);
    assert.equal(w.check(1000), "replayed");
    assert.equal(w.check(999), "fresh");
    assert.equal(w.check(937), "fresh");
    assert.equal(w.check(936), "too-old");
    w.accept(999);
    w.accept(1064);
    assert.equal(w.check(999), "too-old");
    assert.equal(w.check(1000), "too-old");
    assert.equal(w.check(1001), "fresh");
    assert.equal(w.check(1064), "replayed");
  });
});
