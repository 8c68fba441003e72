import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildRtpExtension, parseRtpExtensionElements } from "./rtp-header-extension.js";
import {
  isRtcpPacket,
  parseRtpPacket,
  type RtpPacket,
  rtpHeaderLength,
  serializeRtpPacket,
} from "./rtp-packet.js";

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

// A PCMU packet: V=2, PT 0, seq 0x1234, ts 0xdecafbad, ssrc 0xcafebabe, 4 payload bytes.
const simple = "80001234decafbadcafebabe" + "ffff7f7f";

describe("RTP packet", () => {
  test("parses the fixed header byte-exactly", () => {
    const r = parseRtpPacket(hex(simple));
    assert.ok(r.ok);
    const p = r.packet;
    assert.equal(p.marker, false);
    assert.equal(p.payloadType, 0);
    assert.equal(p.sequenceNumber, 0x1234);
    assert.equal(p.timestamp, 0xdecafbad);
    assert.equal(p.ssrc, 0xcafebabe);
    assert.deepEqual(p.csrcs, []);
    assert.equal(p.extension, undefined);
    assert.equal(toHex(p.payload), "ffff7f7f");
    assert.equal(p.paddingBytes, 0);
  });

  test("parses marker, CSRCs, extension and padding, and serializes back to the same bytes", () => {
    // V=2 P=1 X=1 CC=2, M=1 PT=111, ext profile 0xBEDE 1 word (id 1 len 1 + pad), payload 3 bytes, 4 pad
    const wire = "b2ef0001 00000010 11223344 aaaaaaaa bbbbbbbb bede0001 10ab0000 010203 00000004".replace(
      / /g,
      "",
    );
    const r = parseRtpPacket(hex(wire));
    assert.ok(r.ok);
    const p = r.packet;
    assert.equal(p.marker, true);
    assert.equal(p.payloadType, 111);
    assert.deepEqual(p.csrcs, [0xaaaaaaaa, 0xbbbbbbbb]);
    assert.equal(p.extension?.profile, 0xbede);
    assert.equal(toHex(p.extension?.data ?? new Uint8Array()), "10ab0000");
    assert.equal(toHex(p.payload), "010203");
    assert.equal(p.paddingBytes, 4);
    assert.equal(toHex(serializeRtpPacket(p)), wire);
    assert.equal(rtpHeaderLength(hex(wire)), 28);
    const elements = p.extension === undefined ? undefined : parseRtpExtensionElements(p.extension);
    assert.deepEqual(
      elements?.map((e) => [e.id, toHex(e.data)]),
      [[1, "ab"]],
    );
  });

  test("serializes into a reused buffer", () => {
    const out = new Uint8Array(1500);
    const packet: RtpPacket = {
      marker: true,
      payloadType: 8,
      sequenceNumber: 65535,
      timestamp: 0xffffffff,
      ssrc: 1,
      csrcs: [],
      payload: hex("d5d5"),
      paddingBytes: 0,
    };
    const written = serializeRtpPacket(packet, out);
    assert.equal(written.buffer, out.buffer);
    assert.equal(toHex(written), "8088ffffffffffff00000001d5d5");
  });

  test("returns typed errors for malformed packets", () => {
    assert.deepEqual(parseRtpPacket(hex("8000")), { ok: false, error: "truncated" });
    assert.deepEqual(parseRtpPacket(hex("40001234decafbadcafebabe")), { ok: false, error: "wrong-version" });
    assert.deepEqual(parseRtpPacket(hex("82001234decafbadcafebabe00000001")), {
      ok: false,
      error: "csrc-beyond-length",
    });
    assert.deepEqual(parseRtpPacket(hex("90001234decafbadcafebabebede0002 00000000".replace(/ /g, ""))), {
      ok: false,
      error: "extension-beyond-length",
    });
    assert.deepEqual(parseRtpPacket(hex("90001234decafbadcafebabebede")), {
      ok: false,
      error: "extension-beyond-length",
    });
    assert.deepEqual(parseRtpPacket(hex("a0001234decafbadcafebabe0100")), {
      ok: false,
      error: "bad-padding",
    });
    assert.deepEqual(parseRtpPacket(hex("a0001234decafbadcafebabe0109")), {
      ok: false,
      error: "bad-padding",
    });
  });

  test("two-byte extension elements round trip", () => {
    const ext = buildRtpExtension([
      { id: 20, data: hex("0102") },
      { id: 1, data: new Uint8Array(0) },
    ]);
    assert.equal(ext.profile, 0x1000);
    assert.equal(toHex(ext.data), "140201020100" + "0000");
    assert.deepEqual(
      parseRtpExtensionElements(ext)?.map((e) => [e.id, toHex(e.data)]),
      [
        [20, "0102"],
        [1, ""],
      ],
    );
    const one = buildRtpExtension([{ id: 3, data: hex("aabb") }]);
    assert.equal(one.profile, 0xbede);
    assert.equal(toHex(one.data), "31aabb00");
  });

  test("demultiplexes RTCP from RTP (RFC 5761)", () => {
    assert.equal(isRtcpPacket(hex("81c8000bcafebabe")), true);
    assert.equal(isRtcpPacket(hex(simple)), false);
    assert.equal(isRtcpPacket(hex("80e0000100000000")), false);
  });
});
