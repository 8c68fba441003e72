import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, describe, test } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { RingCentralApiError, webhookPlugin } from "../../src/ringcentral/index.js";
import { cleanup, eventually, lineFor, startEmulator } from "./rc-fixture.js";

const servers: FastifyInstance[] = [];
after(async () => {
  for (const server of servers) await server.close();
  await cleanup();
});

async function listen(app: FastifyInstance): Promise<string> {
  servers.push(app);
  await app.listen({ host: "127.0.0.1", port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

const caller = { from: "+16505550111", to: "+16505550100" };
const filter = "/restapi/v1.0/account/~/extension/~/telephony/sessions?sipData=true";

describe("WebHook delivery", () => {
  test("validation handshake passes, notifications with the token are correlated, a wrong token gets 401", async () => {
    const emu = await startEmulator();
    const line = lineFor(emu, { events: "webhook" });
    await line.start();
    const receiver = line.webhookReceiver("verify-me-123");
    const app = Fastify();
    await app.register(webhookPlugin(receiver, "/rc/webhook"));
    const base = await listen(app);

    const { data } = await line.client.post("/restapi/v1.0/subscription", {
      eventFilters: [filter],
      deliveryMode: {
        transportType: "WebHook",
        address: `${base}/rc/webhook`,
        verificationToken: "verify-me-123",
      },
      expiresIn: 3600,
    });
    assert.equal((data as { status?: string }).status, "Active");
    assert.equal(receiver.counters.validations, 1);

    const call = line.correlator.expectCall("hook-call@example");
    const simulated = emu.simulateInboundCall({ sipCallId: "hook-call@example", ...caller });
    simulated.answer();
    await call.waitFor("Answered", { timeoutMs: 5000 });
    assert.equal(call.telephonySessionId, simulated.telephonySessionId);
    await eventually(() => emu.hub.counters.webhookDeliveries === 2, 5000, "deliveries acknowledged");

    const forged = await fetch(`${base}/rc/webhook`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Verification-Token": "guess" },
      body: JSON.stringify({ body: { telephonySessionId: "s-1", parties: [] } }),
    });
    assert.equal(forged.status, 401);
    const missing = await fetch(`${base}/rc/webhook`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    assert.equal(missing.status, 401);
    assert.equal(receiver.counters.rejectedToken, 2);
  });

  test("a receiver that does not echo Validation-Token makes subscription creation fail with SUB-525", async () => {
    const emu = await startEmulator();
    const line = lineFor(emu, { events: "none" });
    await line.start();
    const app = Fastify();
    app.post("/hook", async (_request, reply) => reply.code(200).send(""));
    const base = await listen(app);
    await assert.rejects(
      line.client.post("/restapi/v1.0/subscription", {
        eventFilters: [filter],
        deliveryMode: { transportType: "WebHook", address: `${base}/hook` },
      }),
      (error: unknown) => error instanceof RingCentralApiError && error.errorCode === "SUB-525",
    );
  });
});

describe("Call Control and call log", () => {
  async function answeredCall(sipCallId: string) {
    const emu = await startEmulator();
    const line = lineFor(emu, { callLog: { attempts: 3, delayMs: 50 } });
    await line.start();
    const call = line.correlator.expectCall(sipCallId);
    const simulated = emu.simulateInboundCall({ sipCallId, ...caller });
    simulated.answer();
    await call.waitFor("Answered", { timeoutMs: 5000 });
    const ref = { telephonySessionId: call.telephonySessionId ?? "", partyId: call.partyId ?? "" };
    return { emu, line, call, simulated, ref };
  }

  test("transfer of an answered call returns the party's new state and ends our leg", async () => {
    const { line, call, ref } = await answeredCall("transfer@example");
    const result = await line.callControl.transfer(ref, { extensionNumber: "102" });
    assert.deepEqual(result, { partyId: ref.partyId, code: "Disconnected", reason: "BlindTransfer" });
    const ended = await call.waitFor("Disconnected", { timeoutMs: 5000 });
    assert.equal(ended.reason, "BlindTransfer");
  });

  test("forward works only while ringing; on an answered call it is a 409 TAS-102", async () => {
    const { line, ref } = await answeredCall("forward-late@example");
    await assert.rejects(line.callControl.forward(ref, { phoneNumber: "+16505550199" }), (error: unknown) => {
      assert.ok(error instanceof RingCentralApiError);
      assert.equal(error.errorCode, "TAS-102");
      return true;
    });

    const emu = await startEmulator();
    const ringingLine = lineFor(emu, { events: "none" });
    await ringingLine.start();
    const ringing = emu.simulateInboundCall({ sipCallId: "forward@example", ...caller });
    ringing.proceed();
    const forwarded = await ringingLine.callControl.forward(
      { telephonySessionId: ringing.telephonySessionId, partyId: ringing.partyId },
      { voicemail: "200000001" },
    );
    assert.equal(forwarded.code, "Disconnected");
    assert.equal(forwarded.reason, "CallRedirected");
  });

  test("recording: start (201) then pause and resume", async () => {
    const { line, ref } = await answeredCall("record@example");
    const started = await line.callControl.startRecording(ref);
    assert.equal(started.active, true);
    assert.match(started.recordingId, /^\d+$/);
    const paused = await line.callControl.setRecordingActive(ref, started.recordingId, false);
    assert.deepEqual(paused, { recordingId: started.recordingId, active: false });
    const resumed = await line.callControl.setRecordingActive(ref, started.recordingId, true);
    assert.equal(resumed.active, true);
    await assert.rejects(
      line.callControl.setRecordingActive(ref, "999", false),
      (error: unknown) =>
        error instanceof RingCentralApiError && error.status === 404 && error.errorCode === "CMN-102",
    );
  });

  test("drop ends the session (204); a second drop is 404; call-log sync returns result, duration, recording", async () => {
    const { line, call, ref } = await answeredCall("drop@example");
    const recording = await line.callControl.startRecording(ref);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a call of at least one second
    await line.callControl.drop(ref.telephonySessionId);
    const ended = await call.waitFor("Disconnected", { timeoutMs: 5000 });
    assert.equal(ended.reason, "CallDropped");
    await assert.rejects(
      line.callControl.drop(ref.telephonySessionId),
      (error: unknown) => error instanceof RingCentralApiError && error.status === 404,
    );
    const log = await line.fetchCallLog(ref.telephonySessionId);
    assert.ok(log !== undefined);
    assert.equal(log.result, "Accepted");
    assert.ok(log.durationS !== undefined && log.durationS >= 1);
    assert.equal(log.recording?.id, recording.recordingId);
    assert.match(log.recording?.contentUri ?? "", /\/recording\/\d+\/content$/);
  });

  test("call-log sync polls until the record appears (platform latency)", async () => {
    const emu = await startEmulator({ callLogDelayMs: 120 });
    const line = lineFor(emu, { events: "none", callLog: { attempts: 5, delayMs: 60 } });
    await line.start();
    const simulated = emu.simulateInboundCall({ sipCallId: "latency@example", ...caller });
    simulated.hangUp();
    const log = await line.fetchCallLog(simulated.telephonySessionId);
    assert.equal(log?.result, "Missed");
    const polls = emu.requests.filter((r) => r.path.endsWith("/call-log")).length;
    assert.ok(polls >= 2, `polled ${polls} times`);
    const none = await line.fetchCallLog("s-does-not-exist");
    assert.equal(none, undefined);
  });
});
