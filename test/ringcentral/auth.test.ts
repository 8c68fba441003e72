import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { NoUsableDeviceError, RingCentralApiError } from "../../src/ringcentral/index.js";
import { cleanup, clientFor, lineFor, makeJwt, startEmulator } from "./rc-fixture.js";

const emulator = startEmulator;
after(cleanup);

describe("RingCentral auth and SIP credentials against the emulator", () => {
  test("login, device discovery and sip-info selection give TLS settings for the SIP UA", async () => {
    const emu = await emulator();
    emu.devices[1] = {
      ...emu.devices[1],
      id: "800000001002",
      type: "OtherPhone",
      name: "Existing Phone",
      status: "Offline",
      sipInfo: {
        domain: "sip.ringcentral.com",
        userName: "16505550100",
        password: "pw-1",
        authorizationId: "802500000001",
        outboundProxies: [
          { region: "NA", proxy: "127.0.0.1:5090", proxyTLS: "127.0.0.1:45096" },
          { region: "EMEA", proxy: "127.0.0.2:5090", proxyTLS: "127.0.0.2:5096" },
        ],
      },
    };
    const line = lineFor(emu, { events: "none", region: "EMEA" });
    const { sip, jwt } = await line.start();
    assert.deepEqual(sip, {
      domain: "sip.ringcentral.com",
      username: "16505550100",
      authorizationId: "802500000001",
      password: "pw-1",
      outboundProxy: { host: "127.0.0.2", port: 5096 },
      transport: "tls",
      region: "EMEA",
      deviceId: "800000001002",
      source: "sip-info",
    });
    assert.equal(jwt.status, "no-expiry");
    const paths = emu.requests.map((r) => `${r.method} ${r.path}`);
    assert.ok(paths.includes("GET /restapi/v1.0/account/~/extension/~/device"));
    assert.ok(paths.includes("GET /restapi/v1.0/account/~/device/800000001002/sip-info"));
    await line.stop();
  });

  test("an explicit device id skips discovery; manual credentials skip REST for SIP", async () => {
    const emu = await emulator();
    const line = lineFor(emu, { events: "none", deviceId: "800000001002" });
    const { sip } = await line.start();
    assert.equal(sip.outboundProxy.port, 5096);
    assert.ok(!emu.requests.some((r) => r.path.endsWith("/extension/~/device")));
    await line.stop();

    const manualLine = lineFor(emu, {
      events: "none",
      manualSip: {
        domain: "sip.ringcentral.com",
        username: "1650",
        authorizationId: "8025",
        password: "pw",
        outboundProxy: "sip20.ringcentral.com:5096",
      },
    });
    const manual = await manualLine.start();
    assert.equal(manual.sip.source, "manual");
    assert.deepEqual(manual.sip.outboundProxy, { host: "sip20.ringcentral.com", port: 5096 });
    await manualLine.stop();
  });

  test("an extension with only the RingCentral app gets a typed error that says how to fix it", async () => {
    const emu = await emulator({ devices: [{ id: "1", type: "SoftPhone", name: "app", status: "Online" }] });
    const line = lineFor(emu, { events: "none" });
    await assert.rejects(line.start(), (error: unknown) => {
      assert.ok(error instanceof NoUsableDeviceError);
      assert.equal(error.code, "ringcentral_no_usable_device");
      assert.deepEqual(error.foundTypes, ["SoftPhone"]);
      assert.match(error.message, /Existing Phone/);
      assert.match(error.message, /Set up manually using SIP/);
      return true;
    });
    await line.stop();
  });

  test("a JWT credential close to expiry is reported with days left", async () => {
    const emu = await emulator();
    const jwt = makeJwt({ exp: Math.floor(Date.now() / 1000) + 3 * 86_400 + 600 });
    const line = lineFor(emu, { events: "none", jwt });
    const started = await line.start();
    assert.equal(started.jwt.status, "expiring-soon");
    assert.ok(started.jwt.status === "expiring-soon" && started.jwt.daysLeft === 3);
    await line.stop();
  });

  test("an expired JWT is refused by the platform with a typed invalid_grant error", async () => {
    const emu = await emulator();
    const client = clientFor(emu, { jwt: makeJwt({ exp: Math.floor(Date.now() / 1000) - 10 }) });
    await assert.rejects(client.login(), (error: unknown) => {
      assert.ok(error instanceof RingCentralApiError);
      assert.equal(error.status, 400);
      assert.equal(error.oauthError, "invalid_grant");
      assert.equal(error.retryable, false);
      assert.ok(!error.message.includes(makeJwt()), "the message never carries the credential");
      return true;
    });
    assert.equal(
      emu.requests.filter((r) => r.path === "/restapi/oauth/token").length,
      1,
      "400 is not retried",
    );
  });

  test("wrong client secret -> 401 invalid_client, explained", async () => {
    const emu = await emulator();
    const client = clientFor(emu, { clientSecret: "wrong" });
    await assert.rejects(client.login(), (error: unknown) => {
      assert.ok(error instanceof RingCentralApiError);
      assert.equal(error.status, 401);
      assert.equal(error.errorCode, "OAU-153");
      assert.match(error.explanation, /client id/);
      return true;
    });
  });

  test("a public app (no secret) sends client_id in the body and logs in", async () => {
    const emu = await emulator({ clientSecret: undefined });
    const client = clientFor(emu);
    await client.login();
    const { status } = await client.get("/restapi/v1.0/account/~/extension/~/device");
    assert.equal(status, 200);
    await client.close();
  });

  test("access token expires mid-session: 401 -> refresh once -> the call succeeds", async () => {
    const emu = await emulator();
    const client = clientFor(emu);
    await client.login();
    emu.expireAccessTokens();
    const { status } = await client.get("/restapi/v1.0/account/~/extension/~/device");
    assert.equal(status, 200);
    assert.equal(client.tokens.counters.refreshes, 1);
    assert.equal(client.tokens.counters.logins, 1);
    assert.equal(client.discipline.counters.unauthorizedRefreshes, 1);
    const statuses = emu.requests.map((r) => `${r.path} ${r.status}`);
    assert.ok(statuses.includes("/restapi/v1.0/account/~/extension/~/device 401"));
    await client.close();
  });

  test("a short access-token lifetime is refreshed ahead of expiry on the clock", async () => {
    const emu = await emulator({ accessTokenTtlS: 1 });
    const client = clientFor(emu, { refreshAheadMs: 400 });
    await client.login();
    await new Promise((resolve) => setTimeout(resolve, 900));
    assert.ok(client.tokens.counters.refreshes >= 1, "refreshed by the timer");
    const { status } = await client.get("/restapi/v1.0/account/~/extension/~/device");
    assert.equal(status, 200);
    assert.ok(!emu.requests.some((r) => r.status === 401), "never presented an expired token");
    await client.close();
  });

  test("refresh token revoked -> log in again with the JWT, no error surfaces", async () => {
    const emu = await emulator();
    const client = clientFor(emu);
    await client.login();
    emu.revokeRefreshTokens();
    emu.expireAccessTokens();
    const { status } = await client.get("/restapi/v1.0/account/~/extension/~/device");
    assert.equal(status, 200);
    assert.equal(client.tokens.counters.logins, 2);
    assert.equal(client.tokens.counters.reloginsAfterRefreshFailure, 1);
    const refreshReplies = emu.requests.filter((r) => r.path === "/restapi/oauth/token").map((r) => r.status);
    assert.deepEqual(refreshReplies, [200, 400, 200], "login, refused refresh, JWT login");
    await client.close();
  });

  test("stop() revokes the session", async () => {
    const emu = await emulator();
    const line = lineFor(emu, { events: "none" });
    await line.start();
    assert.equal(emu.tokens.activeSessions, 1);
    await line.stop();
    assert.equal(emu.tokens.activeSessions, 0);
    assert.ok(emu.requests.some((r) => r.path === "/restapi/oauth/revoke" && r.status === 200));
  });
});
