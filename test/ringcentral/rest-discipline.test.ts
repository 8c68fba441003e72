import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { RingCentralApiError } from "../../src/ringcentral/index.js";
import { cleanup, clientFor, startEmulator } from "./rc-fixture.js";

const emulator = startEmulator;
after(cleanup);

const devices = "/restapi/v1.0/account/~/extension/~/device";

describe("REST discipline against the emulator", () => {
  test("a 429 burst: every request waits Retry-After and succeeds, none is lost", async () => {
    const emu = await emulator();
    const client = clientFor(emu);
    await client.login();
    emu.setRateLimit("light", { limit: 3, windowS: 1, penaltyS: 1 });
    const results = await Promise.all(Array.from({ length: 8 }, () => client.get(devices)));
    assert.equal(results.length, 8);
    assert.ok(results.every((r) => r.status === 200));
    const served = emu.requests.filter((r) => r.path === devices);
    assert.equal(served.filter((r) => r.status === 200).length, 8, "each request succeeded exactly once");
    assert.ok(
      served.some((r) => r.status === 429),
      "the burst did hit the limit",
    );
    assert.ok(client.discipline.counters.rateLimited >= 1);
    await client.close();
  });

  test("429 without Retry-After waits the configured default", async () => {
    const emu = await emulator();
    const client = clientFor(emu, { retry: { defaultRetryAfterMs: 150, baseDelayMs: 10 } });
    await client.login();
    emu.injectFault({
      pathContains: "/device",
      status: 429,
      body: { errors: [{ errorCode: "CMN-301", message: "Request rate exceeded" }] },
    });
    const started = Date.now();
    const { status } = await client.get(devices);
    assert.equal(status, 200);
    assert.ok(Date.now() - started >= 140, "waited the default before retrying");
    await client.close();
  });

  test("Remaining running low slows requests down across the window (no 429)", async () => {
    const emu = await emulator();
    const client = clientFor(emu);
    await client.login();
    emu.setRateLimit("light", { limit: 4, windowS: 1, penaltyS: 5 });
    const started = Date.now();
    for (let i = 0; i < 6; i += 1) await client.get(devices);
    const served = emu.requests.filter((r) => r.path === devices);
    assert.ok(
      served.every((r) => r.status === 200),
      "pacing kept us under the limit",
    );
    assert.ok(Date.now() - started >= 900, "requests were spread into the next window");
    assert.ok(client.discipline.counters.pacedMs > 0);
    await client.close();
  });

  test("5xx is retried with backoff; success follows", async () => {
    const emu = await emulator();
    const client = clientFor(emu);
    await client.login();
    emu.injectFault({
      pathContains: "/device",
      status: 503,
      times: 2,
      body: { errors: [{ errorCode: "CMN-201", message: "Service Temporary Unavailable" }] },
    });
    const { status } = await client.get(devices);
    assert.equal(status, 200);
    assert.equal(client.discipline.counters.serverErrorRetries, 2);
    assert.deepEqual(
      emu.requests.filter((r) => r.path === devices).map((r) => r.status),
      [503, 503, 200],
    );
    await client.close();
  });

  test("persistent 5xx gives up after maxAttempts with a retryable typed error", async () => {
    const emu = await emulator();
    const client = clientFor(emu, { retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10 } });
    await client.login();
    emu.injectFault({ pathContains: "/device", status: 500, times: 10 });
    await assert.rejects(client.get(devices), (error: unknown) => {
      assert.ok(error instanceof RingCentralApiError);
      assert.equal(error.code, "ringcentral_server_error");
      assert.equal(error.retryable, true);
      return true;
    });
    assert.equal(emu.requests.filter((r) => r.path === devices).length, 3);
    await client.close();
  });

  for (const [status, errorCode] of [
    [400, "CMN-101"],
    [403, "CMN-401"],
    [404, "CMN-102"],
    [409, "TAS-102"],
  ] as const) {
    test(`${status} ${errorCode} is never retried`, async () => {
      const emu = await emulator();
      const client = clientFor(emu);
      await client.login();
      emu.injectFault({
        pathContains: "/device",
        status,
        times: 5,
        body: { errors: [{ errorCode, message: "x" }] },
      });
      await assert.rejects(client.get(devices), (error: unknown) => {
        assert.ok(error instanceof RingCentralApiError);
        assert.equal(error.status, status);
        assert.equal(error.errorCode, errorCode);
        assert.equal(error.retryable, false);
        return true;
      });
      assert.equal(emu.requests.filter((r) => r.path === devices).length, 1);
      await client.close();
    });
  }

  test("409 TAS-102 on a real call control request is explained, not retried", async () => {
    const emu = await emulator();
    const client = clientFor(emu);
    await client.login();
    const call = emu.simulateInboundCall({ sipCallId: "c1@test", from: "+16505550111", to: "+16505550100" });
    const path = `/restapi/v1.0/account/~/telephony/sessions/${call.telephonySessionId}/parties/${call.partyId}/transfer`;
    // Transfer needs an Answered party; this one is still ringing.
    await assert.rejects(client.post(path, { phoneNumber: "+16505550123" }), (error: unknown) => {
      assert.ok(error instanceof RingCentralApiError);
      assert.equal(error.status, 409);
      assert.equal(error.errorCode, "TAS-102");
      assert.equal(error.rcMessage, "Incorrect State");
      assert.match(error.explanation, /no longer in a state that allows this/);
      assert.ok(!error.message.includes("+1650"), "no phone number in the message");
      assert.ok(!error.message.includes(call.telephonySessionId), "ids are shaped out of the message");
      return true;
    });
    assert.equal(emu.requests.filter((r) => r.path === path).length, 1);
    await client.close();
  });
});
