import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { HmacSha1 } from "./hmac-sha1.js";

function reference(key: Uint8Array, data: Uint8Array, trailer?: number): Buffer {
  const h = createHmac("sha1", key).update(data);
  if (trailer !== undefined) {
    const t = Buffer.alloc(4);
    t.writeUInt32BE(trailer >>> 0);
    h.update(t);
  }
  return h.digest();
}

describe("HmacSha1", () => {
  test("RFC 2202 test case 2 (key 'Jefe')", () => {
    const h = new HmacSha1(Buffer.from("Jefe"));
    const data = Buffer.from("what do ya want for nothing?");
    assert.equal(
      Buffer.from(h.digest(data, 0, data.length)).toString("hex"),
      "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
    );
  });

  test("matches node's createHmac for every message length 0..300, with and without a ROC trailer", () => {
    const key = randomBytes(20);
    const h = new HmacSha1(key);
    const data = randomBytes(300);
    for (let n = 0; n <= 300; n++) {
      const view = data.subarray(0, n);
      assert.deepEqual(Buffer.from(h.digest(data, 0, n)), reference(key, view), `length ${n}`);
      const roc = (n * 0x01020304) >>> 0;
      assert.deepEqual(
        Buffer.from(h.digest(data, 0, n, roc)),
        reference(key, view, roc),
        `length ${n} + roc`,
      );
    }
  });

  test("honours a start offset and keys longer than one block", () => {
    const key = randomBytes(100);
    const h = new HmacSha1(key);
    const data = randomBytes(200);
    assert.deepEqual(Buffer.from(h.digest(data, 17, 150)), reference(key, data.subarray(17, 150)));
  });

  test("sign writes a truncated tag; verify accepts it and rejects any changed bit", () => {
    const h = new HmacSha1(randomBytes(20));
    const packet = new Uint8Array(182);
    packet.set(randomBytes(172));
    h.sign(packet, 0, 172, 7, packet, 172, 10);
    assert.equal(h.verify(packet, 0, 172, 7, packet, 172, 10), true);
    assert.equal(h.verify(packet, 0, 172, 8, packet, 172, 10), false);
    packet[181] = (packet[181] ?? 0) ^ 1;
    assert.equal(h.verify(packet, 0, 172, 7, packet, 172, 10), false);
  });
});
