import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { cleanup, eventually, lineFor, startEmulator } from "./rc-fixture.js";

after(cleanup);

const caller = { from: "+16505550111", to: "+16505550100" };

describe("telephony-session events over the WebSocket subscription", () => {
  test("events are correlated to our call by sipData.callId with session and party ids", async () => {
    const emu = await startEmulator();
    const line = lineFor(emu);
    await line.start();
    const call = line.correlator.expectCall("a84b4c76e66710@pc33.example");
    const other = line.correlator.expectCall("other-call@example");
    const simulated = emu.simulateInboundCall({ sipCallId: "a84b4c76e66710@pc33.example", ...caller });
    simulated.proceed();
    simulated.answer();
    const answered = await call.waitFor("Answered", { timeoutMs: 5000 });
    assert.equal(answered.source, "event");
    assert.equal(call.telephonySessionId, simulated.telephonySessionId);
    assert.equal(call.partyId, simulated.partyId);
    simulated.hangUp();
    const ended = await call.waitFor(["Disconnected", "Gone"], { timeoutMs: 5000 });
    assert.equal(ended.reason, "CallFinished");
    assert.deepEqual(
      call.history.map((c) => c.code),
      ["Setup", "Proceeding", "Answered", "Disconnected"],
    );
    assert.ok(call.ended);
    assert.equal(other.history.length, 0, "another call saw nothing");
    assert.equal(line.subscription.counters.malformed, 0);
  });

  test("events that beat the INVITE are held and applied when the call is expected", async () => {
    const emu = await startEmulator();
    const line = lineFor(emu);
    await line.start();
    const simulated = emu.simulateInboundCall({ sipCallId: "early@example", ...caller });
    simulated.proceed();
    await eventually(() => line.correlator.counters.held >= 2, 5000, "held events");
    const call = line.correlator.expectCall("early@example");
    assert.deepEqual(
      call.history.map((c) => c.code),
      ["Setup", "Proceeding"],
    );
  });

  test("the WebSocket dropped by the platform recovers and replays what was missed", async () => {
    const emu = await startEmulator();
    const line = lineFor(emu);
    await line.start();
    const call = line.correlator.expectCall("drop-replay@example");
    const simulated = emu.simulateInboundCall({ sipCallId: "drop-replay@example", ...caller });
    await call.waitFor("Setup", { timeoutMs: 5000 });
    const seen: string[] = [];
    call.onStatus((change) => seen.push(change.code));
    emu.dropWebSockets();
    simulated.answer(); // published while no socket is connected: buffered for recovery
    await call.waitFor("Answered", { timeoutMs: 5000 });
    assert.equal(emu.gateway.counters.recoveries, 1);
    await eventually(() => line.subscription.counters.recoveries === 1, 5000, "recovery event");
    // Both the replayed event and the re-sync report it; listeners hear it once, the event is kept.
    await eventually(
      () => call.history.some((c) => c.code === "Answered" && c.source === "event"),
      5000,
      "replay",
    );
    assert.deepEqual(seen, ["Answered"]);
  });

  test("recovery refused by the platform: we subscribe again and re-sync delivers the missed status", async () => {
    const emu = await startEmulator();
    const line = lineFor(emu);
    await line.start();
    const call = line.correlator.expectCall("drop-resync@example");
    const simulated = emu.simulateInboundCall({ sipCallId: "drop-resync@example", ...caller });
    simulated.answer();
    await call.waitFor("Answered", { timeoutMs: 5000 });
    emu.dropWebSockets({ failRecovery: true });
    simulated.hangUp(); // lost with the unrecoverable session
    const ended = await call.waitFor(["Disconnected", "Gone"], { timeoutMs: 8000 });
    assert.equal(ended.source, "resync");
    assert.equal(emu.gateway.counters.failedRecoveries, 1);
    assert.equal(line.subscription.counters.failedRecoveries, 1);
    assert.ok(line.subscription.counters.resyncs >= 1);
    // The new subscription works: a later call's events arrive as events.
    const next = line.correlator.expectCall("after-resubscribe@example");
    emu.simulateInboundCall({ sipCallId: "after-resubscribe@example", ...caller });
    const setup = await next.waitFor("Setup", { timeoutMs: 5000 });
    assert.equal(setup.source, "event");
  });

  test("re-sync on an answered call that changed state uses the session's party status", async () => {
    const emu = await startEmulator();
    const line = lineFor(emu);
    await line.start();
    const call = line.correlator.expectCall("resync-hold@example");
    const simulated = emu.simulateInboundCall({ sipCallId: "resync-hold@example", ...caller });
    simulated.answer();
    await call.waitFor("Answered", { timeoutMs: 5000 });
    emu.dropWebSockets({ failRecovery: true });
    simulated.hold();
    const held = await call.waitFor("Hold", { timeoutMs: 8000 });
    assert.equal(held.source, "resync");
    assert.equal(call.current?.code, "Hold");
  });
});
