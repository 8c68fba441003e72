import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ntpFromUnixMs, ntpMiddle32, ntpToUnixMs } from "./ntp-time.js";
import { sdesCname } from "./rtcp-packet.js";
import { parseRtcpCompound } from "./rtcp-parse.js";
import { serializeRtcpCompound } from "./rtcp-serialize.js";

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

// SR (1 block) + SDES CNAME "a@b.c" + RTPFB NACK (unknown, passed through) + BYE "bye".
const compound = [
  "81c8000c 11223344 dd2a5b1e 80000000 0000a000 00000064 00003e80",
  "55667788 40fffffe 0001000a 00000020 5b1e8000 00008000",
  "81ca0003 11223344 01056140 622e6300",
  "81cd0003 11223344 55667788 00050000",
  "81cb0002 11223344 03627965",
].join("");

describe("RTCP compound packets", () => {
  test("parses SR, SDES, unknown and BYE byte-exactly and serializes back", () => {
    const r = parseRtcpCompound(hex(compound));
    assert.ok(r.ok);
    const [sr, sdes, nack, bye] = r.packets;
    assert.ok(sr?.kind === "sr");
    assert.equal(sr.ssrc, 0x11223344);
    assert.deepEqual(sr.ntpTimestamp, { seconds: 0xdd2a5b1e, fraction: 0x80000000 });
    assert.equal(sr.rtpTimestamp, 0xa000);
    assert.equal(sr.packetCount, 100);
    assert.equal(sr.octetCount, 16000);
    assert.deepEqual(sr.reports, [
      {
        ssrc: 0x55667788,
        fractionLost: 0x40,
        cumulativeLost: -2,
        extendedHighestSequence: 0x1000a,
        jitter: 32,
        lastSenderReport: 0x5b1e8000,
        delaySinceLastSenderReport: 0x8000,
      },
    ]);
    assert.ok(sdes?.kind === "sdes");
    assert.equal(sdes.chunks[0]?.ssrc, 0x11223344);
    assert.equal(sdes.chunks[0] === undefined ? undefined : sdesCname(sdes.chunks[0]), "a@b.c");
    assert.ok(nack?.kind === "unknown");
    assert.equal(nack.packetType, 205);
    assert.equal(nack.count, 1);
    assert.equal(toHex(nack.body), "112233445566778800050000");
    assert.deepEqual(bye, { kind: "bye", ssrcs: [0x11223344], reason: "bye" });
    assert.equal(toHex(serializeRtcpCompound(r.packets)), compound.replace(/ /g, ""));
  });

  test("RR with no blocks and BYE without reason round trip", () => {
    const bytes = serializeRtcpCompound([
      { kind: "rr", ssrc: 7, reports: [] },
      { kind: "bye", ssrcs: [7, 8] },
    ]);
    assert.equal(toHex(bytes), "80c9000100000007" + "82cb00020000000700000008");
    const r = parseRtcpCompound(bytes);
    assert.ok(r.ok);
    assert.deepEqual(r.packets, [
      { kind: "rr", ssrc: 7, reports: [] },
      { kind: "bye", ssrcs: [7, 8] },
    ]);
  });

  test("rejects invalid compounds with typed errors", () => {
    const rr = "80c9000100000007";
    assert.deepEqual(parseRtcpCompound(hex("80c9")), { ok: false, error: "truncated" });
    assert.deepEqual(parseRtcpCompound(hex("40c9000100000007")), { ok: false, error: "wrong-version" });
    assert.deepEqual(parseRtcpCompound(hex("80c9000200000007")), { ok: false, error: "length-mismatch" });
    assert.deepEqual(parseRtcpCompound(hex("81cb000100000007")), { ok: false, error: "first-not-report" });
    assert.deepEqual(parseRtcpCompound(hex(`a0c9000100000007${rr}`)), {
      ok: false,
      error: "padding-not-last",
    });
    assert.deepEqual(parseRtcpCompound(hex("a0c9000100000000")), { ok: false, error: "bad-padding" });
    assert.deepEqual(parseRtcpCompound(hex("81c9000100000007")), { ok: false, error: "bad-report-count" });
    assert.deepEqual(parseRtcpCompound(hex(`${rr}81ca000100000007`)), { ok: false, error: "bad-sdes" });
    assert.deepEqual(parseRtcpCompound(hex(`${rr}82cb000100000007`)), { ok: false, error: "bad-bye" });
    assert.deepEqual(parseRtcpCompound(hex("80c90001000000070000")), { ok: false, error: "length-mismatch" });
  });

  test("padding in the last packet is stripped", () => {
    // BYE with 4 bytes of padding after the SSRC.
    const r = parseRtcpCompound(hex("80c9000100000007 a1cb0002 00000009 00000004".replace(/ /g, "")));
    assert.ok(r.ok);
    assert.deepEqual(r.packets[1], { kind: "bye", ssrcs: [9] });
  });

  test("reduced-size RTCP (RFC 5506) is accepted only when asked", () => {
    const pli = hex("81ce00021122334455667788");
    assert.equal(parseRtcpCompound(pli).ok, false);
    const r = parseRtcpCompound(pli, { reducedSize: true });
    assert.ok(r.ok);
    assert.equal(r.packets[0]?.kind, "unknown");
  });
});

describe("NTP timestamps", () => {
  test("Unix epoch and middle 32 bits", () => {
    assert.deepEqual(ntpFromUnixMs(0), { seconds: 2208988800, fraction: 0 });
    assert.deepEqual(ntpFromUnixMs(1500), { seconds: 2208988801, fraction: 0x80000000 });
    assert.equal(ntpMiddle32({ seconds: 0xdd2a5b1e, fraction: 0x80001234 }), 0x5b1e8000);
    assert.equal(ntpToUnixMs(ntpFromUnixMs(1_763_700_000_250)), 1_763_700_000_250);
  });
});
