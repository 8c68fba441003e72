/**
 * Issue 8 acceptance, end to end: a `ringcentral` line started with emulator credentials logs in,
 * discovers the Existing Phone, registers over TLS through Kamailio; a "PSTN" call from baresip
 * (TLS + SRTP) is answered by our UA and stays up with audio both ways (echo agent); telephony
 * events for the INVITE's Call-ID are correlated and the call record holds telephonySessionId,
 * partyId and the party status history; the access token expiring mid-call, a 429 burst and
 * WebSocket drops (recovered with replay, and refused with re-sync) leave the call and its events
 * intact; the caller is transferred to an extension through Call Control (our HTTP API) and the
 * outcome is recorded; registration health reports a takeover.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { RingCentralCallLink } from "../../src/agent/index.js";
import type { DeviceOfflineWhileRegistered } from "../../src/ringcentral/index.js";
import type { CallEventRecord } from "../../src/store/index.js";
import type { Call } from "../../src/telephony/index.js";
import { existingPhoneId, mediaPackets, nextCall, type RcE2e, startRcE2e, until } from "./rc-e2e-fixture.js";

function rcStates(events: readonly CallEventRecord[]): string[] {
  return events
    .filter((e) => e.type === "state")
    .map((e) => e.data as { source?: string; code?: string })
    .filter((d) => d.source === "ringcentral")
    .map((d) => d.code ?? "?");
}

describe("ringcentral line end to end (emulator + Kamailio TLS + baresip)", { timeout: 180_000 }, () => {
  let e2e: RcE2e;
  let link: RingCentralCallLink;
  let call: Call;
  let callerFrom = 0;
  let sipCallId = "";

  before(async () => {
    e2e = await startRcE2e({ rtpPortMin: 41_000 + Math.floor(Math.random() * 20) * 200 });
    const handle = e2e.service.ringcentral[0];
    assert.ok(handle, "the ringcentral line is exposed on the service handle");
    link = handle.link;
  });

  after(async () => {
    await e2e?.close();
  });

  test("start-up: login, device discovery and TLS registration through Kamailio", async () => {
    const ua = e2e.service.lines[0]?.ua;
    assert.ok(ua, "the line has a UA");
    await until("registered at Kamailio over TLS", () => ua.isRegistered, 15_000);
    const paths = e2e.emulator.requests.map((r) => `${r.method} ${r.path} ${r.status}`);
    assert.ok(paths.includes("POST /restapi/oauth/token 200"), "logged in with the JWT");
    assert.ok(
      paths.some((p) => /^GET \/restapi\/v1\.0\/account\/[^/]+\/extension\/[^/]+\/device 200$/.test(p)),
      `discovered the devices: ${paths.join(", ")}`,
    );
    assert.ok(
      paths.includes(`GET /restapi/v1.0/account/~/device/${existingPhoneId}/sip-info 200`) ||
        paths.some((p) => p.includes(`/device/${existingPhoneId}/sip-info 200`)),
      "read the Existing Phone's sip-info",
    );
    assert.ok(paths.includes("POST /restapi/oauth/wstoken 200"), "opened the telephony WebSocket");
  });

  test("a PSTN call is answered in SIP, stays up, and its events are correlated into the record", async () => {
    const callP = nextCall(e2e.service);
    callerFrom = e2e.caller.ctrl.events().length;
    await e2e.caller.ctrl.dial(`sip:agent@127.0.0.1:${e2e.kamailio.tlsPort}`);
    call = await callP;
    sipCallId = call.signaling.callId;
    // RingCentral would publish these for the call it delivered; drive them with the INVITE's Call-ID.
    const simulated = e2e.emulator.simulateInboundCall({
      sipCallId,
      from: "+16505550111",
      to: "+16505550100",
    });
    simulated.proceed();
    await e2e.caller.ctrl.waitForEvent("CALL_ESTABLISHED", { timeoutMs: 20_000, fromIndex: callerFrom });
    simulated.answer();
    const correlated = link.correlatedCall(call.id);
    assert.ok(correlated, "the line's call is tracked by the correlator");
    await correlated.waitFor("Answered", { timeoutMs: 10_000 });
    assert.deepEqual(link.partyOf(call.id), {
      telephonySessionId: simulated.telephonySessionId,
      partyId: simulated.partyId,
    });

    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.equal(call.state, "active", "the call stays up");
    const packets = mediaPackets(call);
    assert.ok(packets.in > 50 && packets.out > 50, `audio both ways: ${JSON.stringify(packets)}`);

    await e2e.service.journal.flush();
    const detail = await e2e.service.store.getCall(call.id);
    assert.ok(detail);
    assert.equal(detail.call.line, "rc");
    assert.equal(detail.call.sipCallId, sipCallId);
    assert.equal(detail.call.rcTelephonySessionId, simulated.telephonySessionId);
    assert.equal(detail.call.rcPartyId, simulated.partyId);
    assert.deepEqual(rcStates(detail.events), ["Setup", "Proceeding", "Answered"]);
  });

  test("the access token expires mid-call: refresh happens, the call is unaffected", async () => {
    assert.equal(call.state, "active");
    const tokensBefore = e2e.emulator.requests.filter((r) => r.path === "/restapi/oauth/token").length;
    const before = mediaPackets(call);
    e2e.emulator.expireAccessTokens();
    const ref = link.partyOf(call.id);
    assert.ok(ref);
    const party = await e2e.service.ringcentral[0]?.line.callControl.getParty(ref);
    assert.equal(party?.code, "Answered", "the request after expiry succeeded");
    const statuses = e2e.emulator.requests.map((r) => r.status);
    assert.ok(statuses.includes(401), "the platform refused the expired token once");
    const tokensAfter = e2e.emulator.requests.filter((r) => r.path === "/restapi/oauth/token").length;
    assert.equal(tokensAfter, tokensBefore + 1, "one refresh");
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(call.state, "active");
    assert.ok(mediaPackets(call).in > before.in, "media kept flowing");
  });

  test("a 429 burst: requests wait Retry-After and succeed; events during it are not lost", async () => {
    const rc = e2e.service.ringcentral[0]?.line;
    assert.ok(rc);
    const ref = link.partyOf(call.id);
    assert.ok(ref);
    e2e.emulator.setRateLimit("light", { limit: 2, windowS: 1, penaltyS: 1 });
    const requestsBefore = e2e.emulator.requests.length;
    const burst = Array.from({ length: 5 }, () => rc.callControl.getParty(ref));
    e2e.emulator.emitCallEvents(sipCallId, "Hold", "Answered");
    const results = await Promise.all(burst);
    e2e.emulator.setRateLimit("light", { limit: 50, windowS: 60, penaltyS: 60 });
    assert.equal(results.length, 5);
    for (const r of results) assert.ok(r.code === "Answered" || r.code === "Hold", r.code);
    const during = e2e.emulator.requests.slice(requestsBefore);
    assert.ok(
      during.some((r) => r.status === 429),
      "the emulator answered 429 at least once",
    );
    const correlated = link.correlatedCall(call.id);
    await until(
      "Hold and Answered again in the history",
      () => (correlated?.history.map((c) => c.code).join(",") ?? "").endsWith("Answered,Hold,Answered"),
      5000,
    );
    assert.equal(call.state, "active");
  });

  test("the WebSocket drops: recovery replays missed events; refused recovery is re-synced", async () => {
    const rc = e2e.service.ringcentral[0]?.line;
    assert.ok(rc);
    const correlated = link.correlatedCall(call.id);
    assert.ok(correlated);
    const recoveries = rc.subscription.counters.recoveries;
    e2e.emulator.dropWebSockets();
    e2e.emulator.emitCallEvents(sipCallId, "Hold");
    await until("recovered", () => rc.subscription.counters.recoveries > recoveries, 20_000);
    await until("the missed Hold replayed", () => correlated.current?.code === "Hold", 10_000);

    const failed = rc.subscription.counters.failedRecoveries;
    e2e.emulator.dropWebSockets({ failRecovery: true });
    e2e.emulator.emitCallEvents(sipCallId, "Answered");
    await until(
      "recovery refused, subscribed again",
      () => rc.subscription.counters.failedRecoveries > failed,
      20_000,
    );
    await until(
      "re-sync learnt Answered",
      () => correlated.current?.code === "Answered" && correlated.current.source === "resync",
      10_000,
    );
    assert.equal(call.state, "active", "the call never noticed");
    await e2e.service.journal.flush();
    const detail = await e2e.service.store.getCall(call.id);
    const vias = (detail?.events ?? [])
      .filter((e) => e.type === "state")
      .map((e) => (e.data as { via?: string }).via);
    assert.ok(vias.includes("resync"), "the re-synced status is in the history");
  });

  test("registration taken over: device Offline while we are registered is reported loudly", async () => {
    const monitor = e2e.service.ringcentral[0]?.line.deviceHealth;
    assert.ok(monitor, "device health is monitored for a discovered device");
    const alarms: DeviceOfflineWhileRegistered[] = [];
    monitor.on("offline-while-registered", (event) => alarms.push(event));
    e2e.emulator.setDeviceStatus(existingPhoneId, "Online");
    await monitor.pollOnce();
    assert.equal(alarms.length, 0, "Online and registered is healthy");
    e2e.emulator.setDeviceStatus(existingPhoneId, "Offline");
    await monitor.pollOnce();
    await monitor.pollOnce();
    assert.equal(alarms.length, 1);
    assert.equal(alarms[0]?.deviceId, existingPhoneId);
    assert.match(alarms[0]?.hint ?? "", /another instance/);
    e2e.emulator.setDeviceStatus(existingPhoneId, "Online");
  });

  test("transfer to an extension through Call Control (HTTP API); the outcome is recorded", async () => {
    assert.equal(call.state, "active");
    const response = await fetch(`${e2e.service.httpUrl}/api/v1/calls/${call.id}/transfer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ target: "102" }),
    });
    assert.equal(response.status, 202, await response.clone().text());
    assert.deepEqual(await response.json(), { callId: call.id, action: "transfer" });
    const transferRequest = e2e.emulator.requests.find((r) => r.path.endsWith("/transfer"));
    assert.equal(transferRequest?.status, 200, "Call Control transfer, not SIP REFER");
    await e2e.caller.ctrl.waitForEvent("CALL_CLOSED", { timeoutMs: 10_000, fromIndex: callerFrom });
    await call.ended;
    const correlated = link.correlatedCall(call.id);
    await until(
      "our party Disconnected (BlindTransfer)",
      () => correlated?.current?.code === "Disconnected",
      5000,
    );
    assert.equal(correlated?.current?.reason, "BlindTransfer");
    await until(
      "the record ended as transferred",
      async () => {
        await e2e.service.journal.flush();
        return (await e2e.service.store.getCall(call.id))?.call.status === "ended";
      },
      5000,
    );
    const detail = await e2e.service.store.getCall(call.id);
    assert.ok(detail);
    assert.equal(detail.call.outcome, "transferred");
    const transfer = detail.events.find((e) => e.type === "transfer");
    assert.deepEqual(transfer?.data, {
      via: "call_control",
      target: "extensionNumber",
      outcome: "success",
      partyStatus: "Disconnected",
    });
    const states = rcStates(detail.events);
    assert.equal(states.at(-1), "Disconnected", states.join(","));
  });
});
