import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseSrtpCryptoSuite, srtpSuites } from "./srtp-crypto-suite.js";
import { formatInlineKeyParams, generateSrtpMasterKey, parseInlineKeyParams } from "./srtp-inline-key.js";

const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

describe("RFC 4568 inline key params", () => {
  test("parses a RingCentral-style key without lifetime or MKI", () => {
    const r = parseInlineKeyParams("inline:Jl6MySNYkuEig6tBMT/Ilf+Xh+15MIxLOdpCxEfG");
    assert.ok(r.ok);
    const bytes = Buffer.from("Jl6MySNYkuEig6tBMT/Ilf+Xh+15MIxLOdpCxEfG", "base64");
    assert.equal(toHex(r.key.masterKey), toHex(bytes.subarray(0, 16)));
    assert.equal(toHex(r.key.masterSalt), toHex(bytes.subarray(16)));
    assert.equal(r.key.lifetimePackets, undefined);
  });

  test("parses lifetime as 2^n or decimal (RFC 4568 6.1 example key)", () => {
    const r = parseInlineKeyParams("inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20");
    assert.ok(r.ok);
    assert.equal(r.key.lifetimePackets, 2 ** 20);
    const d = parseInlineKeyParams("inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|1048576");
    assert.ok(d.ok);
    assert.equal(d.key.lifetimePackets, 1048576);
  });

  test("rejects what we cannot use, with a reason", () => {
    const key = "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR";
    const cases: [string, string][] = [
      [`inline:${key}|2^31|1:1`, "mki-unsupported"],
      [`inline:${key}|1:4`, "mki-unsupported"],
      [`inline:${key}|2^31|x:1`, "bad-mki"],
      [`inline:${key}|2^x`, "bad-lifetime"],
      [`inline:${key}|2^31;inline:${key}|2^31`, "multiple-keys-unsupported"],
      [`uri:${key}`, "not-inline"],
      ["inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0m", "wrong-key-length"],
      ["inline:PS1uQCVeeCFCanVmc!kpPywjNWhcYD0mXXtxaVBR", "bad-base64"],
      ["inline:PS1uQCVeeCFC=nVmcjkpPywjNWhcYD0mXXtxaVBR", "bad-base64"],
    ];
    for (const [text, error] of cases)
      assert.deepEqual(parseInlineKeyParams(text), { ok: false, error }, text);
  });

  test("formats and parses back a fresh random key", () => {
    const key = generateSrtpMasterKey();
    assert.equal(key.masterKey.length, 16);
    assert.equal(key.masterSalt.length, 14);
    assert.notEqual(toHex(key.masterKey), toHex(generateSrtpMasterKey().masterKey));
    const text = formatInlineKeyParams(key);
    assert.equal(text.length, "inline:".length + 40);
    const r = parseInlineKeyParams(text);
    assert.ok(r.ok);
    assert.equal(toHex(r.key.masterKey), toHex(key.masterKey));
    assert.equal(toHex(r.key.masterSalt), toHex(key.masterSalt));
    const withLifetime = parseInlineKeyParams(formatInlineKeyParams(key, 31));
    assert.ok(withLifetime.ok);
    assert.equal(withLifetime.key.lifetimePackets, 2 ** 31);
  });

  test("crypto suite names", () => {
    assert.equal(parseSrtpCryptoSuite("AES_CM_128_HMAC_SHA1_32"), "AES_CM_128_HMAC_SHA1_32");
    assert.equal(parseSrtpCryptoSuite("AES_256_CM_HMAC_SHA1_80"), undefined);
    assert.equal(srtpSuites.AES_CM_128_HMAC_SHA1_32.rtcpAuthTagBytes, 10);
  });
});
