/**
 * Webhook mode through our own HTTP server (src/http `createHttpServer`, loopback, no token): the
 * line's receiver is mounted on it; creating the WebHook subscription passes RingCentral's
 * Validation-Token handshake; telephony events arrive by HTTP and are correlated; a notification
 * with a wrong (or no) verification token is rejected with 401 and never reaches the correlator.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { createHttpServer, createMetrics } from "../../src/http/index.js";
import { webhookPlugin } from "../../src/ringcentral/index.js";
import { SqliteCallStore } from "../../src/store/index.js";
import { cleanup, eventually, lineFor, startEmulator } from "../ringcentral/rc-fixture.js";

after(cleanup);

test("webhook mode on our HTTP server: handshake, correlated events, wrong token rejected", async () => {
  const emu = await startEmulator();
  const line = lineFor(emu, { events: "webhook" });
  await line.start();
  const receiver = line.webhookReceiver("verify-0123456789");
  const store = await SqliteCallStore.open({ path: ":memory:" });
  const http = createHttpServer({
    listen: "127.0.0.1:0",
    token: undefined,
    store,
    calls: {
      hangUp: async () => ({ ok: false, reason: "not_live" }),
      transfer: async () => ({ ok: false, reason: "not_live" }),
    },
    readiness: async () => [],
    registry: createMetrics().registry,
  });
  await http.app.register(webhookPlugin(receiver, "/ringcentral/main/webhook"));
  const { url } = await http.listen();
  try {
    const hook = `${url}/ringcentral/main/webhook`;
    const subscriptionId = await line.subscribeWebhook(hook, "verify-0123456789");
    assert.equal(receiver.counters.validations, 1, "the Validation-Token handshake went through our server");

    const call = line.correlator.expectCall("webhook-e2e@127.0.0.1");
    const simulated = emu.simulateInboundCall({
      sipCallId: "webhook-e2e@127.0.0.1",
      from: "+16505550111",
      to: "+16505550100",
    });
    simulated.proceed();
    simulated.answer();
    await call.waitFor("Answered", { timeoutMs: 5000 });
    assert.equal(call.telephonySessionId, simulated.telephonySessionId);
    assert.equal(call.partyId, simulated.partyId);
    assert.deepEqual(
      call.history.map((c) => c.code),
      ["Setup", "Proceeding", "Answered"],
    );

    const notifications = receiver.counters.notifications;
    const forged = {
      uuid: "forged",
      event: "/restapi/v1.0/account/1/extension/1/telephony/sessions",
      body: {
        sequence: 99,
        telephonySessionId: simulated.telephonySessionId,
        parties: [
          {
            id: simulated.partyId,
            status: { code: "Disconnected" },
            sipData: { callId: "webhook-e2e@127.0.0.1" },
          },
        ],
      },
    };
    for (const headers of [{ "Verification-Token": "guess" }, {}]) {
      const response = await fetch(hook, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...headers },
        body: JSON.stringify(forged),
      });
      assert.equal(response.status, 401);
    }
    assert.equal(receiver.counters.rejectedToken, 2);
    assert.equal(receiver.counters.notifications, notifications, "nothing forged was delivered");
    assert.equal(call.current?.code, "Answered", "the forged Disconnected never reached the call");

    simulated.hangUp();
    await call.waitFor(["Disconnected", "Gone"], { timeoutMs: 5000 });
    await line.stop();
    await eventually(
      () =>
        emu.requests.some((r) => r.method === "DELETE" && r.path.endsWith(`/subscription/${subscriptionId}`)),
      5000,
      "the webhook subscription deleted on stop",
    );
  } finally {
    await http.close();
    await store.close();
  }
});
