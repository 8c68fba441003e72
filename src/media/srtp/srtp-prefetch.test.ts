import assert from "node:assert/strict";
import { createCipheriv } from "node:crypto";
import { describe, test } from "node:test";
import { serializeRtpPacket } from "../rtp/rtp-packet.js";
import { AesCmKeystream } from "./aes-cm-keystream.js";
import { generateSrtpMasterKey } from "./srtp-inline-key.js";
import { SrtpSession } from "./srtp-session.js";

const suite = "AES_CM_128_HMAC_SHA1_80";

function rtp(seq: number, ssrc: number, payloadBytes: number): Uint8Array {
  const payload = new Uint8Array(payloadBytes);
  for (let i = 0; i < payloadBytes; i++) payload[i] = (seq * 7 + i) & 0xff;
  return serializeRtpPacket({
    marker: false,
    payloadType: 0,
    sequenceNumber: seq & 0xffff,
    timestamp: seq * 160,
    ssrc,
    csrcs: [],
    payload,
    paddingBytes: 0,
  });
}

/** Deterministic shuffle-ish order: swaps neighbours in every third pair. */
function reordered<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = 0; i + 1 < out.length; i += 6) [out[i], out[i + 1]] = [out[i + 1] as T, out[i] as T];
  return out;
}

describe("SRTP keystream prefetch and in-place protect", () => {
  test("prefetched keystream equals node's aes-128-ctr for every index of a batch and across batches", () => {
    const key = Uint8Array.from({ length: 16 }, (_, i) => i * 11);
    const salt = Uint8Array.from({ length: 14 }, (_, i) => 200 - i);
    const prefetched = new AesCmKeystream(key, salt, { prefetchPackets: 8 });
    const ssrc = 0xdeadbeef;
    // Indices across a 2^32 boundary of the low word, with a gap and a step back.
    const base = 0x1_ffff_fffc;
    for (const index of [base, base + 1, base + 2, base + 3, base + 4, base + 9, base + 5, base + 20]) {
      const data = new Uint8Array(172).fill(0);
      prefetched.xor(data, 12, 172, ssrc, Math.floor(index / 0x1_0000_0000), index >>> 0);
      const iv = new Uint8Array(16);
      iv.set(salt);
      const ivIndex = new Uint8Array(16);
      ivIndex[4] = ssrc >>> 24;
      ivIndex[5] = (ssrc >>> 16) & 0xff;
      ivIndex[6] = (ssrc >>> 8) & 0xff;
      ivIndex[7] = ssrc & 0xff;
      const high = Math.floor(index / 0x1_0000_0000);
      ivIndex[8] = high >>> 8;
      ivIndex[9] = high & 0xff;
      ivIndex[10] = index >>> 24;
      ivIndex[11] = (index >>> 16) & 0xff;
      ivIndex[12] = (index >>> 8) & 0xff;
      ivIndex[13] = index & 0xff;
      for (let i = 0; i < 16; i++) iv[i] = (iv[i] ?? 0) ^ (ivIndex[i] ?? 0);
      const expected = createCipheriv("aes-128-ctr", key, iv).update(new Uint8Array(160));
      assert.deepEqual(Buffer.from(data.subarray(12)), expected, `index ${index.toString(16)}`);
    }
    assert.ok(prefetched.cipherCalls <= 5, `${prefetched.cipherCalls} cipher calls`);
  });

  test("protectRtpInPlace writes what protectRtp returns; one cipher call per 8 packets", () => {
    const key = generateSrtpMasterKey(suite);
    const reference = new SrtpSession({ suite, ...key }, { keystreamPrefetchPackets: 1 });
    const inPlace = new SrtpSession({ suite, ...key }, { engine: "js" });
    const slot = new Uint8Array(200);
    // Starts near the sequence wrap: the ROC changes in the middle of a prefetched batch.
    for (let n = 0; n < 80; n++) {
      const packet = rtp(65_530 + n, 0x0102_0304, n % 10 === 9 ? 4 : 160);
      const expected = reference.protectRtp(packet);
      assert.ok(expected.ok);
      slot.set(packet);
      const length = inPlace.protectRtpInPlace(slot, packet.length);
      assert.equal(length, expected.packet.length);
      assert.deepEqual(slot.subarray(0, length), Uint8Array.from(expected.packet), `packet ${n}`);
    }
    assert.ok(inPlace.rtpCipherCalls <= 12, `${inPlace.rtpCipherCalls} cipher calls for 80 packets`);
    assert.equal(reference.rtpCipherCalls, 80);
  });

  test("protectRtpInPlace refuses a buffer without room for the tag, and garbage, without throwing", () => {
    const s = new SrtpSession({ suite, ...generateSrtpMasterKey(suite) });
    const packet = rtp(1, 5, 20);
    assert.equal(s.protectRtpInPlace(Uint8Array.from(packet), packet.length), -1);
    assert.equal(s.protectRtpInPlace(new Uint8Array(40), 5), -1);
    assert.equal(s.protectRtpInPlace(new Uint8Array(40).fill(0x40), 20), -1);
    assert.equal(s.counters.malformed, 3);
    assert.equal(s.counters.rtpProtected, 0);
  });

  test("a prefetching receiver decrypts through loss, reordering and a new SSRC", () => {
    const key = generateSrtpMasterKey(suite);
    const tx = new SrtpSession({ suite, ...key }, { keystreamPrefetchPackets: 1 });
    const rx = new SrtpSession({ suite, ...key }, { engine: "js" });
    const sent: Array<{ plain: Uint8Array; wire: Uint8Array }> = [];
    for (let n = 0; n < 120; n++) {
      if (n % 17 === 5) continue; // lost
      const plain = rtp(65_500 + n, n < 60 ? 0xaaaa : 0xbbbb, 160);
      const r = tx.protectRtp(plain);
      assert.ok(r.ok);
      sent.push({ plain, wire: r.packet });
    }
    for (const { plain, wire } of reordered(sent)) {
      const r = rx.unprotectRtp(Uint8Array.from(wire), true);
      assert.ok(r.ok);
      assert.deepEqual(r.packet, plain);
    }
    assert.equal(rx.counters.rtpUnprotected, sent.length);
    assert.ok(rx.rtpCipherCalls < sent.length / 3, `${rx.rtpCipherCalls} cipher calls for ${sent.length}`);
  });
});
