import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { contentLength, type FramerEvent, StreamFramer } from "./stream-framer.js";

const invite = Buffer.from(
  "INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK1\r\n" +
    "Content-Type: application/sdp\r\nContent-Length: 14\r\n\r\nv=0\r\no=- 1 1\r\n",
);
const ok = Buffer.from("SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\nl: 4\r\n\r\nabcd");

function kinds(events: FramerEvent[]): string[] {
  return events.map((e) => (e.kind === "message" ? `message:${e.data.length}` : e.kind));
}

function feed(framer: StreamFramer, chunks: Buffer[]): FramerEvent[] {
  return chunks.flatMap((c) => framer.push(c));
}

describe("StreamFramer", () => {
  test("one message in one chunk", () => {
    const events = new StreamFramer().push(invite);
    assert.equal(events.length, 1);
    const [event] = events;
    assert.ok(event?.kind === "message");
    assert.deepEqual(event.data, invite);
  });

  test("every split point of two coalesced messages yields the same two messages", () => {
    const both = Buffer.concat([invite, ok]);
    for (let split = 0; split <= both.length; split++) {
      const framer = new StreamFramer();
      const events = feed(framer, [both.subarray(0, split), both.subarray(split)]);
      const messages = events.filter((e) => e.kind === "message").map((e) => e.data.toString());
      assert.deepEqual(messages, [invite.toString(), ok.toString()], `split at ${split}`);
      assert.equal(framer.bufferedBytes, 0);
    }
  });

  test("every pair of split points (three chunks)", () => {
    const both = Buffer.concat([ok, invite]);
    for (let a = 0; a <= both.length; a += 3) {
      for (let b = a; b <= both.length; b += 5) {
        const events = feed(new StreamFramer(), [both.subarray(0, a), both.subarray(a, b), both.subarray(b)]);
        assert.deepEqual(kinds(events), [`message:${ok.length}`, `message:${invite.length}`], `${a}/${b}`);
      }
    }
  });

  test("byte-at-a-time delivery", () => {
    const both = Buffer.concat([invite, ok, invite]);
    const framer = new StreamFramer();
    const events: FramerEvent[] = [];
    for (let i = 0; i < both.length; i++) events.push(...framer.push(both.subarray(i, i + 1)));
    assert.deepEqual(kinds(events), [
      `message:${invite.length}`,
      `message:${ok.length}`,
      `message:${invite.length}`,
    ]);
  });

  test("double CRLF is a ping, single CRLF a pong, around messages", () => {
    const framer = new StreamFramer();
    assert.deepEqual(kinds(framer.push(Buffer.from("\r\n\r\n"))), ["ping"]);
    assert.deepEqual(kinds(framer.push(Buffer.from("\r\n"))), ["pong"]);
    assert.deepEqual(
      kinds(framer.push(Buffer.concat([Buffer.from("\r\n\r\n"), ok, Buffer.from("\r\n\r\n")]))),
      ["ping", `message:${ok.length}`, "ping"],
    );
  });

  test("a ping split at every point is still answered (reported as ping)", () => {
    const ping = Buffer.from("\r\n\r\n");
    for (let split = 1; split < 4; split++) {
      const framer = new StreamFramer();
      const events = kinds(feed(framer, [ping.subarray(0, split), ping.subarray(split)]));
      assert.ok(events.includes("ping"), `split at ${split}: ${events.join(",")}`);
      assert.equal(framer.bufferedBytes, 0);
    }
  });

  test("body containing CRLFCRLF and a header value containing 'l:' are framed by Content-Length", () => {
    const tricky = Buffer.from(
      "MESSAGE sip:a SIP/2.0\r\nSubject: l: 99\r\nContent-Length: 6\r\n\r\n\r\n\r\nab",
    );
    const events = new StreamFramer().push(Buffer.concat([tricky, ok]));
    assert.deepEqual(kinds(events), [`message:${tricky.length}`, `message:${ok.length}`]);
  });

  test("missing Content-Length is an error by default, empty body with policy zero", () => {
    const bare = Buffer.from("OPTIONS sip:a SIP/2.0\r\nCSeq: 1 OPTIONS\r\n\r\n");
    assert.deepEqual(new StreamFramer().push(bare), [{ kind: "error", code: "missing_content_length" }]);
    const lenient = new StreamFramer({ missingContentLength: "zero" });
    assert.deepEqual(kinds(lenient.push(Buffer.concat([bare, ok]))), [
      `message:${bare.length}`,
      `message:${ok.length}`,
    ]);
  });

  test("conflicting and invalid Content-Length values are errors; repeated equal values are fine", () => {
    const conflict = Buffer.from("SIP/2.0 200 OK\r\nContent-Length: 4\r\nl: 5\r\n\r\nabcde");
    const framer = new StreamFramer();
    assert.deepEqual(framer.push(conflict), [{ kind: "error", code: "conflicting_content_length" }]);
    assert.equal(framer.failure, "conflicting_content_length");
    assert.deepEqual(framer.push(ok), [], "a failed framer stays failed");
    const same = Buffer.from("SIP/2.0 200 OK\r\ncontent-LENGTH : 2\r\nL:2\r\n\r\nab");
    assert.deepEqual(kinds(new StreamFramer().push(same)), [`message:${same.length}`]);
    for (const bad of ["x", "-1", "1 2", "", "9999999999"]) {
      const msg = Buffer.from(`SIP/2.0 200 OK\r\nContent-Length: ${bad}\r\n\r\n`);
      assert.deepEqual(
        new StreamFramer().push(msg),
        [{ kind: "error", code: "invalid_content_length" }],
        bad,
      );
    }
  });

  test("oversized header section or declared body is an error", () => {
    const framer = new StreamFramer({ maxMessageBytes: 1024 });
    const events = framer.push(Buffer.from(`INVITE sip:a SIP/2.0\r\nX-Big: ${"a".repeat(2000)}`));
    assert.deepEqual(events, [{ kind: "error", code: "message_too_large" }]);
    const body = new StreamFramer({ maxMessageBytes: 1024 }).push(
      Buffer.from("SIP/2.0 200 OK\r\nContent-Length: 5000\r\n\r\n"),
    );
    assert.deepEqual(body, [{ kind: "error", code: "message_too_large" }]);
  });

  test("contentLength helper ignores header names that only start with l", () => {
    assert.equal(contentLength(Buffer.from("SIP/2.0 200 OK\r\nLocation: x\r\nl: 3")), 3);
    assert.equal(contentLength(Buffer.from("SIP/2.0 200 OK\r\nLocation: x")), "missing");
  });

  test("fuzz: random bytes and mutated messages never throw", () => {
    for (let round = 0; round < 2000; round++) {
      const framer = new StreamFramer({ maxMessageBytes: 4096 });
      const base = Buffer.concat([invite, ok]);
      const mutated = Buffer.from(base);
      for (let k = 0; k < 5; k++) {
        mutated[Math.floor(Math.random() * mutated.length)] = Math.floor(Math.random() * 256);
      }
      const noise = randomBytes(Math.floor(Math.random() * 300));
      assert.doesNotThrow(() => {
        for (const chunk of [mutated.subarray(0, 40), mutated.subarray(40), noise]) framer.push(chunk);
      });
    }
  });
});
