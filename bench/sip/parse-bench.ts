/**
 * Parse + serialize throughput of the SIP message model (messages/s), for a RingCentral INVITE with
 * SDP and a 200 OK to REGISTER: parse, typed Via/CSeq read, serialize. Warms up, then measures
 * about 2 s each.
 *   npx tsx bench/sip/parse-bench.ts
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createResponse, getCSeq, getVias, parseMessage, serializeMessage } from "../../src/sip/index.js";

const fixtures = join(import.meta.dirname, "../../test/fixtures/sip/ringcentral");
const invite = readFileSync(join(fixtures, "invite.dat"));
const registerRequest = parseMessage(readFileSync(join(fixtures, "register.dat")));
if (!registerRequest.ok || registerRequest.message.kind !== "request")
  throw new Error("register fixture does not parse");
const registerOk = serializeMessage(
  createResponse(registerRequest.message, 200, {
    toTag: "a1b2c3",
    headers: [["Contact", "<sip:16505550100@192.168.0.106:56379;transport=TLS;ob>;expires=47"]],
  }),
);

let sink = 0;
function roundTrip(data: Buffer): void {
  const r = parseMessage(data);
  if (!r.ok) throw new Error(r.error.detail);
  sink += getVias(r.message)?.length ?? 0;
  sink += getCSeq(r.message)?.seq ?? 0;
  sink += serializeMessage(r.message).length;
}

/** Prints wall-clock and CPU-time rates (CPU time is steadier on a shared, loaded machine). */
function measure(name: string, data: Buffer, durationMs = 2000): void {
  for (let i = 0; i < 20_000; i++) roundTrip(data);
  let count = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  let now = start;
  while (now - start < durationMs) {
    for (let i = 0; i < 1000; i++) roundTrip(data);
    count += 1000;
    now = performance.now();
  }
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const wallRate = Math.round((count * 1000) / (now - start));
  const cpuRate = Math.round((count * 1000) / cpuMs);
  const fmt = (n: number): string => n.toLocaleString("en-US").padStart(9);
  console.log(
    `${name.padEnd(30)} ${String(data.length).padStart(5)} B  wall ${fmt(wallRate)} msg/s  cpu ${fmt(cpuRate)} msg/cpu-s  (${((cpuMs / count) * 1000).toFixed(1)} us/msg cpu)`,
  );
}

measure("INVITE with SDP (RingCentral)", invite);
measure("200 OK to REGISTER", registerOk);
if (sink === 0) console.log("unreachable");
