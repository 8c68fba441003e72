import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseDigestChallenge } from "../auth/digest-client.js";
import { parseDigestParams } from "../auth/digest-params.js";
import {
  getCallId,
  getContacts,
  getCSeq,
  getExpires,
  getFrom,
  getMaxForwards,
  getRecordRoutes,
  getRoutes,
  getTo,
  getVias,
} from "./message-accessors.js";
import { createResponse } from "./message-builders.js";
import { parseMessage } from "./message-parser.js";
import { serializeMessage } from "./message-serializer.js";
import { validateRequest, validateResponse } from "./message-validate.js";

const fixtures = join(import.meta.dirname, "../../../test/fixtures/sip");
const mutationsPerRun = 100_000;

/** mulberry32: small, seeded, reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function corpus(): Buffer[] {
  const out: Buffer[] = [];
  for (const dir of ["ringcentral", "rfc4475/valid", "rfc4475/invalid"]) {
    for (const f of readdirSync(join(fixtures, dir))) out.push(readFileSync(join(fixtures, dir, f)));
  }
  return out;
}

const interesting = [
  ":",
  ";",
  ",",
  "<",
  ">",
  '"',
  "\\",
  "\r\n",
  "\r\n ",
  "=",
  "@",
  "[",
  "]",
  "%",
  "\0",
  "SIP/2.0",
  "9999999999",
];

function mutate(input: Buffer, rand: () => number): Buffer {
  const pick = (n: number): number => Math.floor(rand() * n);
  let buf = Buffer.from(input);
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds; r++) {
    if (buf.length === 0) return buf;
    switch (pick(6)) {
      case 0: {
        // byte flips
        for (let k = 0; k < 1 + pick(8); k++) {
          const at = pick(buf.length);
          buf[at] = (buf[at] ?? 0) ^ (1 << pick(8));
        }
        break;
      }
      case 1:
        buf = buf.subarray(0, pick(buf.length)); // truncation
        break;
      case 2: {
        // duplicate a range
        const a = pick(buf.length);
        const b = Math.min(buf.length, a + pick(200));
        buf = Buffer.concat([buf.subarray(0, b), buf.subarray(a, b), buf.subarray(b)]);
        break;
      }
      case 3: {
        // delete a header line
        const lines = buf.toString("latin1").split("\r\n");
        if (lines.length > 2) lines.splice(1 + pick(lines.length - 1), 1);
        buf = Buffer.from(lines.join("\r\n"), "latin1");
        break;
      }
      case 4: {
        // insert random bytes or an interesting token
        const at = pick(buf.length);
        const ins =
          rand() < 0.5
            ? Buffer.from(interesting[pick(interesting.length)] ?? "")
            : Buffer.from(Array.from({ length: 1 + pick(6) }, () => pick(256)));
        buf = Buffer.concat([buf.subarray(0, at), ins, buf.subarray(at)]);
        break;
      }
      default: {
        // random byte overwrite
        buf[pick(buf.length)] = pick(256);
        break;
      }
    }
  }
  return buf;
}

/** Parses, validates, reads every typed header and re-serializes; true when it parsed. */
function exercise(data: Buffer): boolean {
  const r = parseMessage(data);
  if (!r.ok) {
    assert.equal(typeof r.error.reason, "string");
    return false;
  }
  const m = r.message;
  const v = m.kind === "request" ? validateRequest(m) : validateResponse(m);
  getVias(m);
  getContacts(m);
  getRoutes(m);
  getRecordRoutes(m);
  getFrom(m);
  getTo(m);
  getCSeq(m);
  getCallId(m);
  getMaxForwards(m);
  getExpires(m);
  for (const h of m.headers.getAll("WWW-Authenticate")) {
    parseDigestParams(h);
    parseDigestChallenge(h);
  }
  const again = parseMessage(serializeMessage(m));
  if (v.ok) assert.ok(again.ok, "a valid message must survive serialize + parse");
  if (m.kind === "request" && v.ok && m.method !== "ACK")
    serializeMessage(createResponse(m, 200, { toTag: "x" }));
  return true;
}

test(`fuzz: ${mutationsPerRun} mutations of real messages, zero escaped exceptions`, () => {
  const seed = Number(process.env.SIP_FUZZ_SEED ?? Date.now() % 2 ** 31);
  console.log(`sip message fuzz seed=${seed} (rerun with SIP_FUZZ_SEED=${seed})`);
  const rand = prng(seed);
  const inputs = corpus();
  assert.ok(inputs.length > 30);
  let parsed = 0;
  for (let i = 0; i < mutationsPerRun; i++) {
    const base = inputs[Math.floor(rand() * inputs.length)] ?? Buffer.alloc(0);
    const data = mutate(base, rand);
    try {
      if (exercise(data)) parsed++;
    } catch (error) {
      assert.fail(
        `seed ${seed} mutation ${i} escaped: ${String(error)}\n${data.toString("latin1").slice(0, 400)}`,
      );
    }
  }
  console.log(`sip message fuzz: ${parsed}/${mutationsPerRun} mutated messages still parsed`);
  assert.ok(parsed > 0 && parsed < mutationsPerRun);
});
