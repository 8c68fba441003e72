/**
 * Child process for sqlite-crash.test.ts: inserts a call and a turn, reports it, then keeps
 * appending events (reporting progress) until it is SIGKILLed mid-write.
 *   node --import tsx test/store/sqlite-crash-child.ts DB_PATH CALL_ID
 */
import { SqliteCallStore } from "../../src/store/index.js";

const [dbPath, callId] = process.argv.slice(2);
if (dbPath === undefined || callId === undefined)
  throw new Error("usage: sqlite-crash-child DB_PATH CALL_ID");
const store = SqliteCallStore.open({ path: dbPath });
await store.insertCall({
  id: callId,
  instance: "crash-host",
  line: "main",
  agent: "receptionist",
  direction: "inbound",
  from: "+15550100",
  to: "+15550199",
  startedAtMs: 1_760_000_000_000,
});
await store.appendTurn({
  callId,
  index: 0,
  startedAtMs: 1_760_000_001_000,
  callerText: "hello before the crash",
  agentText: "hi",
  interrupted: false,
  latency: { endpointingMs: 1, sttFinalMs: 2, llmFirstTokenMs: 3, ttsFirstAudioMs: 4, wireToWireMs: 5 },
});
process.stdout.write("written\n");
let n = 0;
// Runs until killed; bounded anyway so a lost parent cannot leave it spinning.
for (; n < 1_000_000; n++) {
  await store.appendEvent({ callId, atMs: 1_760_000_002_000 + n, type: "state", data: { n } });
  if (n % 100 === 0) process.stdout.write(`events ${n}\n`);
}
