import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { getContacts, getCSeq, getFrom, getTo, getVias } from "./message-accessors.js";
import { parseMessage } from "./message-parser.js";
import { serializeMessage } from "./message-serializer.js";
import { validateRequest, validateResponse } from "./message-validate.js";
import type { SipMessage } from "./sip-message.js";

const fixtures = join(import.meta.dirname, "../../../test/fixtures/sip");

function load(dir: string): Array<[string, Buffer]> {
  return readdirSync(join(fixtures, dir))
    .filter((f) => f.endsWith(".dat"))
    .map((f) => [f.replace(".dat", ""), readFileSync(join(fixtures, dir, f))]);
}

function validate(m: SipMessage): boolean {
  return (m.kind === "request" ? validateRequest(m) : validateResponse(m)).ok;
}

describe("RFC 4475 valid torture messages", () => {
  const valid = load("rfc4475/valid");
  test("fixture set is complete", () => assert.ok(valid.length >= 13));
  for (const [name, data] of valid) {
    test(`${name} parses, validates and round-trips`, () => {
      const r = parseMessage(data);
      assert.ok(r.ok, r.ok ? "" : `${r.error.reason}: ${r.error.detail}`);
      const v = r.message.kind === "request" ? validateRequest(r.message) : validateResponse(r.message);
      assert.ok(v.ok, v.ok ? "" : v.reason);
      const again = parseMessage(serializeMessage(r.message));
      assert.ok(again.ok);
      assert.deepEqual(
        again.message.headers.fields(),
        r.message.headers
          .fields()
          .map((f) => (f.key === "content-length" ? { ...f, value: String(r.message.body.length) } : f)),
      );
      assert.deepEqual(again.message.body, r.message.body);
    });
  }

  test("wsinv: folding, compact forms, LWS in Via and params", () => {
    const r = parseMessage(load("rfc4475/valid").find(([n]) => n === "wsinv")?.[1] ?? Buffer.alloc(0));
    assert.ok(r.ok && r.message.kind === "request");
    const m = r.message;
    assert.equal(m.headers.get("Max-Forwards"), "0068");
    assert.deepEqual(getCSeq(m), { seq: 9, method: "INVITE" });
    assert.equal(getTo(m)?.params[0]?.value, "1918181833n");
    assert.equal(getFrom(m)?.displayName, 'J Rosenberg \\"');
    const vias = getVias(m);
    assert.deepEqual(
      vias?.map((v) => [v.transport, v.host]),
      [
        ["UDP", "192.0.2.2"],
        ["TCP", "spindle.example.com"],
        ["UDP", "192.168.255.111"],
      ],
    );
    assert.equal(m.headers.get("NewFangledHeader"), "newfangled value continued newfangled value");
    const contacts = getContacts(m);
    assert.ok(Array.isArray(contacts));
    assert.equal(contacts[0]?.displayName, 'Quoted string ""');
    assert.equal(m.body.length, Number(m.headers.get("Content-Length")));
  });

  test("dblreq: bytes after Content-Length are ignored", () => {
    const r = parseMessage(load("rfc4475/valid").find(([n]) => n === "dblreq")?.[1] ?? Buffer.alloc(0));
    assert.ok(r.ok && r.message.kind === "request");
    assert.equal(r.message.method, "REGISTER");
    assert.equal(r.message.body.length, 0);
  });

  test("mpart01: binary body kept byte for byte", () => {
    const data = load("rfc4475/valid").find(([n]) => n === "mpart01")?.[1] ?? Buffer.alloc(0);
    const r = parseMessage(data);
    assert.ok(r.ok);
    assert.ok(r.message.body.includes(Buffer.from([0xff, 0xfe, 0x00, 0x7f])));
    assert.deepEqual(serializeMessage(r.message).subarray(-r.message.body.length), r.message.body);
  });
});

describe("RFC 4475 invalid torture messages", () => {
  for (const [name, data] of load("rfc4475/invalid")) {
    test(`${name} is rejected by the parser or the validator`, () => {
      const r = parseMessage(data);
      assert.ok(!r.ok || !validate(r.message), `${name} was accepted`);
    });
  }
});

describe("RingCentral captured messages", () => {
  for (const [name, data] of load("ringcentral")) {
    test(`${name} parses, validates and round-trips byte for byte (header-name case aside)`, () => {
      const r = parseMessage(data);
      assert.ok(r.ok, r.ok ? "" : r.error.detail);
      assert.ok(validate(r.message));
      const out = serializeMessage(r.message);
      // Byte-exact except for header-name spelling (Www-Authenticate is written WWW-Authenticate).
      const lowerNames = (b: Buffer): string => {
        const text = b.toString("latin1");
        const end = text.indexOf("\r\n\r\n");
        const head = text
          .slice(0, end)
          .split("\r\n")
          .map((line, k) =>
            k === 0 ? line : line.slice(0, line.indexOf(":")).toLowerCase() + line.slice(line.indexOf(":")),
          );
        return `${head.join("\r\n")}${text.slice(end)}`;
      };
      assert.equal(lowerNames(out), lowerNames(data));
      const again = parseMessage(out);
      assert.ok(again.ok);
      assert.deepEqual(again.message.headers.fields(), r.message.headers.fields());
      assert.deepEqual(again.message.body, r.message.body);
    });
  }
});
