import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { encodeWsFrame, WsFrameParser, WsOpcode } from "./ws-frame.js";
import { checkUpgradeResponse, takeHttpHead, wsAcceptFor } from "./ws-handshake.js";

describe("WebSocket framing (RFC 6455)", () => {
  test("RFC 6455 5.7 vectors: unmasked and masked 'Hello', fragmented text", () => {
    const client = new WsFrameParser({ expectMasked: false, maxMessageBytes: 1024 });
    assert.deepEqual(client.push(Buffer.from([0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f])), [
      { kind: "message", binary: false, payload: Buffer.from("Hello") },
    ]);
    const server = new WsFrameParser({ expectMasked: true, maxMessageBytes: 1024 });
    const masked = Buffer.from([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    assert.deepEqual(server.push(masked), [
      { kind: "message", binary: false, payload: Buffer.from("Hello") },
    ]);
    const fragmented = Buffer.from([0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f]);
    assert.deepEqual(new WsFrameParser({ expectMasked: false, maxMessageBytes: 1024 }).push(fragmented), [
      { kind: "message", binary: false, payload: Buffer.from("Hello") },
    ]);
  });

  test("RFC 6455 1.3 accept key example", () => {
    assert.equal(wsAcceptFor("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });

  test("round trip at 125/126/65535/65536 byte boundaries with a ping between fragments, split reads", () => {
    for (const size of [0, 125, 126, 65_535, 65_536]) {
      const payload = Buffer.alloc(size, 0x61);
      const half = payload.subarray(0, Math.floor(size / 2));
      const rest = payload.subarray(Math.floor(size / 2));
      const wire = Buffer.concat([
        encodeWsFrame(WsOpcode.text, half, { mask: true, fin: false }),
        encodeWsFrame(WsOpcode.ping, Buffer.from("p"), { mask: true }),
        encodeWsFrame(WsOpcode.continuation, rest, { mask: true }),
      ]);
      const parser = new WsFrameParser({ expectMasked: true, maxMessageBytes: 100_000 });
      const events = [...parser.push(wire.subarray(0, 7)), ...parser.push(wire.subarray(7))];
      assert.deepEqual(
        events.map((e) => e.kind),
        ["ping", "message"],
      );
      const last = events[1];
      assert.ok(last?.kind === "message");
      assert.equal(last.payload.length, size);
    }
  });

  test("protocol violations are errors: unmasked from client, masked from server, bad continuation, big", () => {
    const plain = encodeWsFrame(WsOpcode.text, Buffer.from("x"), { mask: false });
    assert.deepEqual(new WsFrameParser({ expectMasked: true, maxMessageBytes: 10 }).push(plain), [
      { kind: "error", code: "missing_mask" },
    ]);
    const masked = encodeWsFrame(WsOpcode.text, Buffer.from("x"), { mask: true });
    assert.deepEqual(new WsFrameParser({ expectMasked: false, maxMessageBytes: 10 }).push(masked), [
      { kind: "error", code: "unexpected_mask" },
    ]);
    const orphan = encodeWsFrame(WsOpcode.continuation, Buffer.from("x"), { mask: false });
    assert.deepEqual(new WsFrameParser({ expectMasked: false, maxMessageBytes: 10 }).push(orphan), [
      { kind: "error", code: "protocol_error" },
    ]);
    const big = encodeWsFrame(WsOpcode.text, Buffer.alloc(11), { mask: false });
    assert.deepEqual(new WsFrameParser({ expectMasked: false, maxMessageBytes: 10 }).push(big), [
      { kind: "error", code: "message_too_large" },
    ]);
    const badUtf8 = encodeWsFrame(WsOpcode.text, Buffer.from([0xff, 0xfe]), { mask: false });
    assert.deepEqual(new WsFrameParser({ expectMasked: false, maxMessageBytes: 10 }).push(badUtf8), [
      { kind: "error", code: "invalid_utf8" },
    ]);
  });

  test("handshake response checks", () => {
    const key = "dGhlIHNhbXBsZSBub25jZQ==";
    const good = Buffer.from(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: sip\r\n\r\nrest",
    );
    const taken = takeHttpHead(good);
    assert.ok(typeof taken === "object");
    assert.equal(checkUpgradeResponse(taken.head, key), undefined);
    assert.equal(taken.rest.toString(), "rest");
    assert.equal(checkUpgradeResponse(taken.head, "b3RoZXIga2V5IGhlcmUhIQ=="), "accept");
    const noSip = takeHttpHead(Buffer.from(good.toString().replace("Sec-WebSocket-Protocol: sip\r\n", "")));
    assert.ok(typeof noSip === "object");
    assert.equal(checkUpgradeResponse(noSip.head, key), "subprotocol");
  });

  test("fuzz: random bytes never throw", () => {
    for (let i = 0; i < 2000; i++) {
      const parser = new WsFrameParser({ expectMasked: i % 2 === 0, maxMessageBytes: 4096 });
      assert.doesNotThrow(() => parser.push(randomBytes(1 + (i % 200))));
    }
  });
});
