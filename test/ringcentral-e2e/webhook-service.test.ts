/**
 * Webhook delivery in the product, end to end through `startRingagent`: a `ringcentral` line with
 * `events: webhook` mounts its receiver on our HTTP server (which has a bearer token) and subscribes
 * once listening; RingCentral's (the emulator's) Validation-Token handshake passes without our
 * token; a PSTN call's telephony events arrive by HTTP and are correlated into the call record; a
 * notification with a wrong verification token gets 401 from the receiver; the rest of the API
 * still needs the bearer token.
 */
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, describe, test } from "node:test";
import type { CallEventRecord } from "../../src/store/index.js";
import { nextCall, type RcE2e, startRcE2e, until } from "./rc-e2e-fixture.js";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(typeof address === "object" && address !== null);
  return address.port;
}

function rcStates(events: readonly CallEventRecord[]): string[] {
  return events
    .map((e) => e.data as { source?: string; code?: string })
    .filter((d) => d.source === "ringcentral")
    .map((d) => d.code ?? "?");
}

describe("ringcentral line with events: webhook (startRingagent + emulator + Kamailio TLS + baresip)", {
  timeout: 120_000,
}, () => {
  const apiToken = "api-token-0123456789abcdef";
  const verificationToken = "verify-0123456789abcdef";
  let e2e: RcE2e;
  let base = "";

  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    e2e = await startRcE2e({
      rtpPortMin: 43_000 + Math.floor(Math.random() * 20) * 200,
      http: { listen: `127.0.0.1:${port}`, token: apiToken },
      // No path in the address: the default path /webhooks/ringcentral/<line> is appended.
      ringcentral: { events: "webhook", webhook: { address: base, verificationToken } },
    });
  });

  after(async () => {
    await e2e?.close();
  });

  test("subscribed by WebHook to our address; the handshake passed our bearer-token server", () => {
    const requests = e2e.emulator.requests.map((r) => `${r.method} ${r.path} ${r.status}`);
    assert.ok(requests.includes("POST /restapi/v1.0/subscription 200"), requests.join(", "));
    assert.ok(
      !requests.some((r) => r.startsWith("POST /restapi/oauth/wstoken")),
      "no WebSocket in webhook mode",
    );
  });

  test("a PSTN call's events arrive by webhook and are correlated into the call record", async () => {
    const link = e2e.service.ringcentral[0]?.link;
    assert.ok(link);
    const callP = nextCall(e2e.service);
    const from = e2e.caller.ctrl.events().length;
    await e2e.caller.ctrl.dial(`sip:agent@127.0.0.1:${e2e.kamailio.tlsPort}`);
    const call = await callP;
    const simulated = e2e.emulator.simulateInboundCall({
      sipCallId: call.signaling.callId,
      from: "+16505550111",
      to: "+16505550100",
    });
    simulated.proceed();
    await e2e.caller.ctrl.waitForEvent("CALL_ESTABLISHED", { timeoutMs: 20_000, fromIndex: from });
    simulated.answer();
    const correlated = link.correlatedCall(call.id);
    assert.ok(correlated);
    await correlated.waitFor("Answered", { timeoutMs: 10_000 });
    assert.deepEqual(link.partyOf(call.id), {
      telephonySessionId: simulated.telephonySessionId,
      partyId: simulated.partyId,
    });
    await e2e.service.journal.flush();
    const detail = await e2e.service.store.getCall(call.id);
    assert.equal(detail?.call.rcTelephonySessionId, simulated.telephonySessionId);
    assert.deepEqual(rcStates(detail?.events ?? []), ["Setup", "Proceeding", "Answered"]);

    // A forged Disconnected with a wrong verification token: 401 from the receiver, never applied.
    const forged = JSON.stringify({
      uuid: "forged",
      event: "/restapi/v1.0/account/~/extension/~/telephony/sessions",
      body: {
        sequence: 99,
        telephonySessionId: simulated.telephonySessionId,
        parties: [
          {
            id: simulated.partyId,
            status: { code: "Disconnected" },
            sipData: { callId: call.signaling.callId },
          },
        ],
      },
    });
    const response = await fetch(`${base}/webhooks/ringcentral/rc`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Verification-Token": "guess" },
      body: forged,
    });
    assert.equal(response.status, 401);
    assert.equal(
      response.headers.get("www-authenticate"),
      null,
      "the receiver's 401, not the bearer check's",
    );
    assert.match(await response.text(), /verification token/);
    assert.equal(correlated.current?.code, "Answered", "the forged event never reached the call");

    await e2e.caller.ctrl.hangup();
    await until("the call ended", () => call.state === "ended", 15_000);
    simulated.hangUp();
    await correlated.waitFor(["Disconnected", "Gone"], { timeoutMs: 10_000 });
  });

  test("the rest of the API still needs the bearer token", async () => {
    const open = await fetch(`${base}/api/v1/calls`);
    assert.equal(open.status, 401);
    assert.ok(open.headers.get("www-authenticate")?.startsWith("Bearer"));
    const authed = await fetch(`${base}/api/v1/calls`, { headers: { authorization: `Bearer ${apiToken}` } });
    assert.equal(authed.status, 200);
    const ready = await fetch(`${base}/readyz`);
    const body = (await ready.json()) as { checks?: Array<{ name: string; ok: boolean }> };
    assert.ok(
      !JSON.stringify(body).includes("ringcentral events"),
      `no webhook failure in /readyz: ${JSON.stringify(body)}`,
    );
  });
});
