import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { FakeClock } from "../../shared/index.js";
import { createResponse } from "../message/message-builders.js";
import type { TransportProtocol } from "../transport/transport-types.js";
import { TransactionLayer } from "./transaction-layer.js";
import { FakeSender } from "./transaction-testing.js";

const fixtures = join(import.meta.dirname, "../../../test/fixtures/sip");

test("fuzz: mutated messages through TransactionLayer.receiveBytes never throw and never hit the internal catch", () => {
  const seed = Number(process.env.SIP_FUZZ_SEED ?? Date.now() % 2 ** 31);
  console.log(`transaction layer fuzz seed=${seed}`);
  let state = seed >>> 0;
  const rand = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const inputs: Buffer[] = [];
  for (const dir of ["ringcentral", "rfc4475/valid", "rfc4475/invalid"]) {
    for (const f of readdirSync(join(fixtures, dir))) inputs.push(readFileSync(join(fixtures, dir, f)));
  }
  const clock = new FakeClock();
  const sender = new FakeSender(() => clock.nowMs());
  const layer = new TransactionLayer({
    sender,
    clock,
    tu: {
      // The TU answers every request (sometimes with a provisional first), so every server
      // transaction reaches a final state and its timers end it.
      onRequest: (request, tx) => {
        if (tx === undefined) return;
        if (rand() < 0.3) tx.respond(createResponse(request, 180, { toTag: "t" }));
        tx.respond(createResponse(request, rand() < 0.5 ? 200 : 486, { toTag: "t" }));
      },
    },
  });
  const protocols: TransportProtocol[] = ["udp", "tcp", "tls", "ws"];
  for (let i = 0; i < 20_000; i++) {
    const base = inputs[Math.floor(rand() * inputs.length)] ?? Buffer.alloc(0);
    const data = Buffer.from(base);
    for (let k = 0; k < 1 + Math.floor(rand() * 6); k++) {
      const at = Math.floor(rand() * data.length);
      data[at] = Math.floor(rand() * 256);
    }
    const protocol = protocols[Math.floor(rand() * protocols.length)] ?? "udp";
    const source = { protocol, host: "203.0.113.5", port: 1 + Math.floor(rand() * 65535) };
    layer.receiveBytes({
      data: rand() < 0.8 ? data : base,
      source,
      local: { protocol, host: "192.0.2.1", port: 5060 },
      flowId: `f${i % 7}`,
    });
    if (i % 100 === 0) clock.advance(Math.floor(rand() * 5000));
  }
  clock.advance(100_000);
  assert.equal(layer.counters.internalErrors, 0);
  assert.ok(layer.counters.unparsable > 0);
  assert.equal(layer.serverTransactionCount, 0, "every server transaction terminated once its timers ran");
});
