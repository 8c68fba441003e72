/**
 * The native SRTP primitives give the JS engine's bytes (random cross-checks), HMAC-SHA1 agrees with
 * node's createHmac, sessions of different engines interoperate, and bad arguments throw typed errors
 * instead of crashing. The addon must be built here (npm ci builds it) unless the JS engine is
 * chosen on purpose with RINGAGENT_MEDIA_NATIVE=off.
 */
import assert from "node:assert/strict";
import { createHmac, randomBytes, randomInt } from "node:crypto";
import { describe, test } from "node:test";
import { builtMediaAddon, mediaAddonStatus } from "../native/media-addon.js";
import { serializeRtpPacket } from "../rtp/rtp-packet.js";
import { AesCmKeystream } from "./aes-cm-keystream.js";
import { HmacSha1 } from "./hmac-sha1.js";
import { generateSrtpMasterKey } from "./srtp-inline-key.js";
import { createSrtpAuthenticator, createSrtpKeystream, defaultSrtpEngine } from "./srtp-primitives.js";
import { SrtpSession } from "./srtp-session.js";

const bytes = (n: number): Uint8Array => Uint8Array.from(randomBytes(n));

describe("native SRTP primitives", () => {
  test("the addon is built; it is the default engine unless RINGAGENT_MEDIA_NATIVE=off", () => {
    assert.ok(builtMediaAddon(), mediaAddonStatus().detail);
    const expected = process.env.RINGAGENT_MEDIA_NATIVE === "off" ? "js" : "native";
    assert.equal(mediaAddonStatus().engine, expected, mediaAddonStatus().detail);
    assert.equal(defaultSrtpEngine(), expected);
  });

  test("AES-CM keystream: native and JS agree on 300 random keys, SSRCs, indices, offsets and lengths", () => {
    for (let i = 0; i < 300; i++) {
      const key = bytes(16);
      const salt = bytes(14);
      const ssrc = randomInt(0, 2 ** 32);
      const high = randomInt(0, 0x10000);
      const low = randomInt(0, 2 ** 32);
      const start = randomInt(0, 20);
      const end = start + randomInt(0, 1300);
      const data = bytes(end + randomInt(0, 8));
      const viaJs = Uint8Array.from(data);
      const viaNative = Uint8Array.from(data);
      new AesCmKeystream(key, salt).xor(viaJs, start, end, ssrc, high, low);
      createSrtpKeystream("native", key, salt, 1).xor(viaNative, start, end, ssrc, high, low);
      assert.deepEqual(viaNative, viaJs, `case ${i}`);
    }
  });

  test("HMAC-SHA1: matches createHmac for short, block-sized and long keys, with and without the ROC trailer", () => {
    for (const keyBytes of [0, 1, 20, 64, 65, 200]) {
      const key = bytes(keyBytes);
      const native = createSrtpAuthenticator("native", key);
      const js = new HmacSha1(key);
      for (const length of [0, 1, 55, 56, 64, 172, 1400]) {
        const data = bytes(length + 4);
        for (const trailer of [undefined, 0, 0xdeadbeef]) {
          const reference = createHmac("sha1", key).update(data.subarray(2, 2 + length));
          if (trailer !== undefined) {
            const t = Buffer.alloc(4);
            t.writeUInt32BE(trailer);
            reference.update(t);
          }
          const expected = reference.digest();
          const out = new Uint8Array(24);
          native.sign(data, 2, 2 + length, trailer, out, 4, 20);
          assert.deepEqual(out.subarray(4), Uint8Array.from(expected));
          const jsOut = new Uint8Array(24);
          js.sign(data, 2, 2 + length, trailer, jsOut, 4, 20);
          assert.deepEqual(jsOut, out);
          assert.equal(native.verify(data, 2, 2 + length, trailer, out, 4, 10), true);
          const flip = 4 + randomInt(0, 10);
          out[flip] = (out[flip] ?? 0) ^ (1 << randomInt(0, 8));
          assert.equal(native.verify(data, 2, 2 + length, trailer, out, 4, 10), false);
        }
      }
    }
  });

  test("a native-engine sender and a JS-engine receiver (and the other way round) interoperate", () => {
    for (const suite of ["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32"] as const) {
      const key = { suite, ...generateSrtpMasterKey(suite) };
      for (const [txEngine, rxEngine] of [
        ["native", "js"],
        ["js", "native"],
      ] as const) {
        const tx = new SrtpSession(key, { engine: txEngine });
        const rx = new SrtpSession(key, { engine: rxEngine });
        for (let seq = 65530; seq < 65546; seq++) {
          const payload = bytes(160);
          const packet = serializeRtpPacket({
            marker: false,
            payloadType: 0,
            sequenceNumber: seq & 0xffff,
            timestamp: seq * 160,
            ssrc: 0x01020304,
            csrcs: [],
            payload,
            paddingBytes: 0,
          });
          const protectedPacket = tx.protectRtp(packet);
          assert.ok(protectedPacket.ok);
          const plain = rx.unprotectRtp(protectedPacket.packet);
          assert.ok(plain.ok, `${suite} ${txEngine}->${rxEngine} seq ${seq}`);
          assert.deepEqual(plain.packet, packet);
        }
        const rtcp = Uint8Array.from(Buffer.from(`81c8000bcafebabe${"ab".repeat(16)}`, "hex"));
        const sealed = tx.protectRtcp(rtcp);
        assert.ok(sealed.ok);
        const opened = rx.unprotectRtcp(sealed.packet);
        assert.ok(opened.ok);
        assert.deepEqual(opened.packet, rtcp);
      }
    }
  });

  test("bad arguments throw a TypeError or RangeError with a code, never crash", () => {
    const addon = builtMediaAddon();
    assert.ok(addon);
    const cm = addon.aesCmCreate(bytes(16), bytes(14));
    const hmac = addon.hmacSha1Create(bytes(20));
    const buf = new Uint8Array(16);
    const calls: (() => unknown)[] = [
      () => addon.aesCmCreate(bytes(15), bytes(14)),
      () => addon.aesCmXor(cm, buf, 0, 17, 0, 0, 0),
      () => addon.aesCmXor(cm, buf, 8, 4, 0, 0, 0),
      () => addon.aesCmXor(hmac as never, buf, 0, 4, 0, 0, 0),
      () => addon.aesCmXor({} as never, buf, 0, 4, 0, 0, 0),
      () => addon.aesCmXor(cm, new Int16Array(8) as never, 0, 4, 0, 0, 0),
      () => addon.hmacSha1Sign(hmac, buf, 0, 16, -1, buf, 10, 10),
      () => addon.hmacSha1Sign(hmac, buf, 0, 16, -1, buf, 0, 21),
      () => addon.hmacSha1Verify(hmac, buf, -1, 16, -1, buf, 0, 10),
      () => addon.sendTo(-1, buf, 0, 4, new Uint8Array(16)),
      () => addon.sendTo(0, buf, 0, 4, new Uint8Array(3)),
      () => addon.sendTo(0, buf, 10, 10, new Uint8Array(16)),
      () => (addon.sockaddr as (...a: unknown[]) => unknown)(5, 1),
      () => addon.sockaddr("127.0.0.1", 70000),
    ];
    for (const [i, call] of calls.entries()) {
      assert.throws(call, (error: unknown) => {
        assert.ok(error instanceof TypeError || error instanceof RangeError, `call ${i}: ${String(error)}`);
        assert.equal((error as { code?: string }).code, "media_addon_argument", `call ${i}`);
        return true;
      });
    }
    assert.equal(addon.sockaddr("not an address", 5), null);
    assert.equal(addon.sockaddr("::1", 5)?.length, 28);
  });
});
