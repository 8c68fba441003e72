/**
 * RFC 3711 Appendix B.2 (AES-CM keystream) and B.3 (key derivation), and the libsrtp
 * srtp_driver reference packets for AES_CM_128_HMAC_SHA1_80 (RTP and SRTCP).
 */
import assert from "node:assert/strict";
import { createCipheriv } from "node:crypto";
import { describe, test } from "node:test";
import { AesCmKeystream } from "./aes-cm-keystream.js";
import { deriveSrtpKey, deriveSrtpSessionKeys } from "./srtp-key-derivation.js";
import { createSrtpKeystream, type SrtpEngine } from "./srtp-primitives.js";
import { SrtpSession } from "./srtp-session.js";

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex").toUpperCase();

const masterKey = hex("E1F97A0D3E018BE0D64FA32C06DE4139");
const masterSalt = hex("0EC675AD498AFEEBB6960B3AABE6");

describe("RFC 3711 B.2 AES-CM keystream", () => {
  const key = hex("2B7E151628AED2A6ABF7158809CF4F3C");
  const salt = hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD");

  test("counter blocks 0000, 0001, 0002 and FEFF, FF00, FF01", () => {
    const cm = new AesCmKeystream(key, salt);
    const ks = new Uint8Array(0xff02 * 16);
    cm.xor(ks, 0, ks.length, 0, 0, 0);
    const block = (n: number): string => toHex(ks.subarray(n * 16, n * 16 + 16));
    assert.equal(block(0), "E03EAD0935C95E80E166B16DD92B4EB4");
    assert.equal(block(1), "D23513162B02D0F72A43A2FE4A5F97AB");
    assert.equal(block(2), "41E95B3BB0A2E8DD477901E4FCA894C0");
    assert.equal(block(0xfeff), "EC8CDF7398607CB0F2D21675EA9EA1E4");
    assert.equal(block(0xff00), "362B7C3C6773516318A077D7FC5073AE");
    assert.equal(block(0xff01), "6A2CC3787889374FBEB4C81B17BA6C44");
  });

  test("reused ECB path matches node's aes-128-ctr for arbitrary SSRC and index", () => {
    const cm = new AesCmKeystream(key, salt);
    for (const [ssrc, high, low, length] of [
      [0xcafebabe, 0, 0x1234, 160],
      [0xdeadbeef, 0xffff, 0xffffffff, 33],
      [1, 0, 0x00010000, 1],
    ] as const) {
      const buf = new Uint8Array(length);
      cm.xor(buf, 0, length, ssrc, high, low);
      const iv = Buffer.alloc(16);
      iv.set(salt, 0);
      iv.writeUInt32BE((iv.readUInt32BE(4) ^ ssrc) >>> 0, 4);
      iv.writeUInt16BE(iv.readUInt16BE(8) ^ high, 8);
      iv.writeUInt32BE((iv.readUInt32BE(10) ^ low) >>> 0, 10);
      const reference = createCipheriv("aes-128-ctr", key, iv).update(Buffer.alloc(length));
      assert.equal(toHex(buf), toHex(reference));
    }
  });
});

describe("RFC 3711 B.3 key derivation", () => {
  test("cipher key, salt and auth key", () => {
    const keys = deriveSrtpSessionKeys(masterKey, masterSalt);
    assert.equal(toHex(keys.rtp.cipherKey), "C61E7A93744F39EE10734AFE3FF7A087");
    assert.equal(toHex(keys.rtp.cipherSalt), "30CBBC08863D8C85D49DB34A9AE1");
    assert.equal(toHex(keys.rtp.authKey), "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4");
    assert.equal(
      toHex(deriveSrtpKey(masterKey, masterSalt, 1, 94)),
      "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA48F0A0ACF3C34E2359E6CDBCEE049646C43D9327AD175578EF7227098" +
        "6371C10C9A369AC2F94A8C5FBCDDDC256D6E919A48B610EF17C2041E474035766B68642C59BBFC2F34DB60DBDFB2",
    );
    assert.notEqual(toHex(keys.rtcp.cipherKey), toHex(keys.rtp.cipherKey));
  });
});

const engines: readonly SrtpEngine[] = ["js", "native"];

describe("RFC 3711 B.2 through the native engine", () => {
  test("the same counter blocks", () => {
    const cm = createSrtpKeystream(
      "native",
      hex("2B7E151628AED2A6ABF7158809CF4F3C"),
      hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD"),
      1,
    );
    const ks = new Uint8Array(0xff02 * 16);
    cm.xor(ks, 0, ks.length, 0, 0, 0);
    const block = (n: number): string => toHex(ks.subarray(n * 16, n * 16 + 16));
    assert.equal(block(0), "E03EAD0935C95E80E166B16DD92B4EB4");
    assert.equal(block(2), "41E95B3BB0A2E8DD477901E4FCA894C0");
    assert.equal(block(0xff01), "6A2CC3787889374FBEB4C81B17BA6C44");
  });
});

for (const engine of engines)
  describe(`libsrtp reference packets (AES_CM_128_HMAC_SHA1_80), ${engine} engine`, () => {
    const rtpPlain = `800F1234DECAFBADCAFEBABE${"AB".repeat(16)}`;
    const rtpProtected = "800F1234DECAFBADCAFEBABE4E55DC4CE79978D88CA4D215949D2402B78D6ACC99EA179B8DBB";
    const rtcpPlain = `81C8000BCAFEBABE${"AB".repeat(16)}`;
    const rtcpProtected = "81C8000BCAFEBABE7128035BE487B9BDBEF89041F977A5A880000001993E08CD54D6C1230798";

    test("protectRtp produces the reference SRTP packet", () => {
      const s = new SrtpSession({ suite: "AES_CM_128_HMAC_SHA1_80", masterKey, masterSalt }, { engine });
      const r = s.protectRtp(hex(rtpPlain));
      assert.ok(r.ok);
      assert.equal(toHex(r.packet), rtpProtected);
    });

    test("unprotectRtp recovers the reference plaintext", () => {
      const s = new SrtpSession({ suite: "AES_CM_128_HMAC_SHA1_80", masterKey, masterSalt }, { engine });
      const r = s.unprotectRtp(hex(rtpProtected));
      assert.ok(r.ok);
      assert.equal(toHex(r.packet), rtpPlain);
    });

    test("SRTCP: the reference packet (index 1, E set) unprotects; our index 1 protects to the same bytes", () => {
      const rx = new SrtpSession({ suite: "AES_CM_128_HMAC_SHA1_80", masterKey, masterSalt }, { engine });
      const r = rx.unprotectRtcp(hex(rtcpProtected));
      assert.ok(r.ok);
      assert.equal(toHex(r.packet), rtcpPlain);
      // Our sender starts at SRTCP index 0 (RFC 3711 3.4); libsrtp's reference uses index 1,
      // so the second packet we protect must match it byte for byte.
      const tx = new SrtpSession({ suite: "AES_CM_128_HMAC_SHA1_80", masterKey, masterSalt }, { engine });
      const first = tx.protectRtcp(hex(rtcpPlain));
      assert.ok(first.ok);
      assert.equal(toHex(first.packet.subarray(24, 28)), "80000000");
      const second = tx.protectRtcp(hex(rtcpPlain));
      assert.ok(second.ok);
      assert.equal(toHex(second.packet), rtcpProtected);
    });
  });
