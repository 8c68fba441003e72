/**
 * Fuzz: random and mutated packets through RTP parse, RTCP parse and SRTP/SRTCP protect and
 * unprotect. Nothing may throw. Seeded PRNG; set FUZZ_SEED to replay a run.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseRtcpCompound } from "../rtcp/rtcp-parse.js";
import { serializeRtcpCompound } from "../rtcp/rtcp-serialize.js";
import { parseRtpPacket, type RtpPacket, serializeRtpPacket } from "../rtp/rtp-packet.js";
import { generateSrtpMasterKey } from "./srtp-inline-key.js";
import { SrtpSession } from "./srtp-session.js";

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 0x7fffffff) >>> 0;
console.log(`# media fuzz seed ${seed} (FUZZ_SEED=${seed} to replay)`);

/** mulberry32 */
function prng(s: number): () => number {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

const rand = prng(seed);
const int = (n: number): number => Math.floor(rand() * n);
const bytes = (n: number): Uint8Array => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = int(256);
  return b;
};

function randomRtp(): RtpPacket {
  const csrcs: number[] = [];
  for (let i = int(4); i > 0; i--) csrcs.push(int(0x1_0000_0000));
  return {
    marker: rand() < 0.5,
    payloadType: int(128),
    sequenceNumber: int(0x10000),
    timestamp: int(0x1_0000_0000),
    ssrc: int(0x1_0000_0000),
    csrcs,
    extension: rand() < 0.3 ? { profile: int(0x10000), data: bytes(int(3) * 4) } : undefined,
    payload: bytes(int(200)),
    paddingBytes: rand() < 0.2 ? 1 + int(8) : 0,
  };
}

function mutate(src: Uint8Array): Uint8Array {
  const kind = int(5);
  if (kind === 0) return src.subarray(0, int(src.length + 1)); // truncate
  if (kind === 1) return bytes(int(64)); // pure noise
  const out = Uint8Array.from(src);
  if (kind === 2) {
    for (let i = 1 + int(4); i > 0 && out.length > 0; i--) {
      const at = int(out.length);
      out[at] = (out[at] ?? 0) ^ (1 << int(8));
    }
    return out;
  }
  if (kind === 3) {
    // Corrupt the first 4 header bytes (version, counts, lengths) where parsers branch.
    for (let i = 0; i < 4 && i < out.length; i++) if (rand() < 0.5) out[i] = int(256);
    return out;
  }
  const grown = new Uint8Array(out.length + int(32));
  grown.set(out);
  return grown;
}

const iterations = 100_000;

describe(`media packet fuzz (seed ${seed})`, () => {
  test(`RTP: ${iterations} random round trips and mutations, no exception`, () => {
    let parsed = 0;
    for (let i = 0; i < iterations; i++) {
      const p = randomRtp();
      const wire = serializeRtpPacket(p);
      const back = parseRtpPacket(wire);
      assert.ok(back.ok, `seed ${seed} iteration ${i}`);
      assert.equal(back.packet.sequenceNumber, p.sequenceNumber);
      assert.equal(back.packet.payload.length, p.payload.length);
      if (parseRtpPacket(mutate(wire)).ok) parsed++;
    }
    assert.ok(parsed > 0);
  });

  test(`RTCP: ${iterations} mutated compounds, no exception`, () => {
    const base = serializeRtcpCompound([
      {
        kind: "sr",
        ssrc: 1,
        ntpTimestamp: { seconds: 2, fraction: 3 },
        rtpTimestamp: 4,
        packetCount: 5,
        octetCount: 6,
        reports: [
          {
            ssrc: 7,
            fractionLost: 8,
            cumulativeLost: -9,
            extendedHighestSequence: 10,
            jitter: 11,
            lastSenderReport: 12,
            delaySinceLastSenderReport: 13,
          },
        ],
      },
      { kind: "sdes", chunks: [{ ssrc: 1, items: [{ type: 1, value: "agent@example.invalid" }] }] },
      { kind: "unknown", packetType: 206, count: 1, body: bytes(8) },
      { kind: "bye", ssrcs: [1], reason: "done" },
    ]);
    assert.ok(parseRtcpCompound(base).ok);
    let parsed = 0;
    for (let i = 0; i < iterations; i++) {
      const m = mutate(base);
      const r = parseRtcpCompound(m, { reducedSize: rand() < 0.5 });
      if (r.ok) {
        parsed++;
        serializeRtcpCompound(r.packets);
      }
    }
    assert.ok(parsed > 0);
  });

  test(`SRTP/SRTCP: ${iterations} mutated packets through unprotect (and protect), no exception`, () => {
    const key = generateSrtpMasterKey();
    const tx = new SrtpSession({ suite: "AES_CM_128_HMAC_SHA1_80", ...key });
    const rx = new SrtpSession({ suite: "AES_CM_128_HMAC_SHA1_80", ...key });
    let accepted = 0;
    let lastAccepted: Uint8Array | undefined;
    for (let i = 0; i < iterations; i++) {
      if (lastAccepted !== undefined && rand() < 0.05) {
        // Replay a packet that was accepted before (a copy: in-place unprotect consumed the original).
        rx.unprotectRtp(Uint8Array.from(lastAccepted));
        continue;
      }
      const plain = serializeRtpPacket(randomRtp());
      const rtcp = rand() < 0.2;
      // Protect a possibly-mutated plaintext (valid tag over odd headers), then mutate or not.
      const source = rand() < 0.3 ? mutate(plain) : plain;
      const protectedPacket = rtcp ? tx.protectRtcp(source) : tx.protectRtp(source);
      if (!protectedPacket.ok) continue;
      const wire = rand() < 0.5 ? mutate(protectedPacket.packet) : protectedPacket.packet;
      const copy = rtcp ? undefined : Uint8Array.from(wire);
      const r = rtcp ? rx.unprotectRtcp(wire, rand() < 0.5) : rx.unprotectRtp(wire, rand() < 0.5);
      if (r.ok) {
        accepted++;
        if (copy !== undefined) lastAccepted = copy;
      }
    }
    const c = rx.counters;
    assert.ok(accepted > 0);
    assert.ok(c.authFailures > 0 && c.malformed > 0 && c.replays > 0);
    console.log(
      `# srtp fuzz: accepted ${accepted}, authFailures ${c.authFailures}, replays ${c.replays}, malformed ${c.malformed}`,
    );
  });

  test(`SRTP in place: ${iterations} random buffers and lengths through protectRtpInPlace, no exception`, () => {
    const key = generateSrtpMasterKey();
    const tx = new SrtpSession({ suite: "AES_CM_128_HMAC_SHA1_80", ...key });
    const rx = new SrtpSession({ suite: "AES_CM_128_HMAC_SHA1_80", ...key });
    let roundTrips = 0;
    for (let i = 0; i < iterations; i++) {
      const plain = rand() < 0.7 ? serializeRtpPacket(randomRtp()) : bytes(int(80));
      const source = rand() < 0.3 ? mutate(plain) : plain;
      // A slot that may be too small, exact, or roomy; a claimed length that may be wrong.
      const slot = new Uint8Array(Math.max(0, source.length + int(20) - 6));
      slot.set(source.subarray(0, slot.length));
      const claimed = rand() < 0.8 ? source.length : int(source.length + 20) - 5;
      const before = slot.slice(0, Math.max(0, claimed));
      const wireBytes = tx.protectRtpInPlace(slot, claimed);
      if (wireBytes < 0) continue;
      assert.equal(wireBytes, claimed + 10);
      const r = rx.unprotectRtp(slot.slice(0, wireBytes), rand() < 0.5);
      if (r.ok) {
        roundTrips++;
        assert.deepEqual(r.packet, before);
      }
    }
    assert.ok(roundTrips > 0);
    assert.ok(tx.counters.malformed > 0);
  });
});
