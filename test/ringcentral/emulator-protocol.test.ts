import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { WebSocket } from "ws";
import { cleanup, makeJwt, startEmulator } from "./rc-fixture.js";

after(cleanup);

type Frame = [Record<string, unknown>, unknown?];

async function token(
  url: string,
  body: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${url}/restapi/oauth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(body).toString(),
  });
}

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;
}

/** Collects frames of a raw WebSocket; `next(pred)` waits (bounded) for a matching one. */
function frames(ws: WebSocket): { next(pred: (f: Frame) => boolean): Promise<Frame>; all: Frame[] } {
  const all: Frame[] = [];
  const waiters: { pred: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  ws.on("message", (data) => {
    const frame = JSON.parse(data.toString()) as Frame;
    all.push(frame);
    for (const w of [...waiters]) {
      if (w.pred(frame)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(frame);
      }
    }
  });
  return {
    all,
    next: (pred) =>
      new Promise<Frame>((resolve, reject) => {
        const found = all.find(pred);
        if (found !== undefined) return resolve(found);
        const timer = setTimeout(() => reject(new Error("no matching frame")), 3000);
        waiters.push({
          pred,
          resolve: (f) => {
            clearTimeout(timer);
            resolve(f);
          },
        });
      }),
  };
}

describe("RingCentral emulator wire protocol", () => {
  test("token endpoint: RingCentral's error bodies for missing client auth and bad grants", async () => {
    const emu = await startEmulator();
    const noAuth = await token(emu.url, {
      grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
      assertion: makeJwt(),
    });
    assert.equal(noAuth.status, 401);
    assert.deepEqual(await noAuth.json(), {
      error: "invalid_client",
      errors: [{ errorCode: "OAU-123", message: "Client authentication is required" }],
      error_description: "Client authentication is required",
    });
    const auth = { Authorization: basic(emu.clientId, emu.clientSecret ?? "") };
    const badJwt = await token(
      emu.url,
      { grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion: "x.y" },
      auth,
    );
    assert.equal(badJwt.status, 400);
    assert.equal(((await badJwt.json()) as { error: string }).error, "invalid_grant");
    const badRefresh = await token(emu.url, { grant_type: "refresh_token", refresh_token: "nope" }, auth);
    assert.equal(badRefresh.status, 400);
    const unsupported = await token(emu.url, { grant_type: "password" }, auth);
    assert.equal(unsupported.status, 400);
    assert.equal(((await unsupported.json()) as { error: string }).error, "unsupported_grant_type");

    const ok = await token(
      emu.url,
      { grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion: makeJwt() },
      auth,
    );
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("x-rate-limit-group"), "auth");
    const tokenInfo = (await ok.json()) as Record<string, unknown>;
    for (const key of [
      "access_token",
      "token_type",
      "expires_in",
      "refresh_token",
      "refresh_token_expires_in",
      "scope",
      "owner_id",
    ]) {
      assert.ok(key in tokenInfo, key);
    }
    const api = await fetch(`${emu.url}/restapi/v1.0/account/~/extension/~/device`, {
      headers: { Authorization: `Bearer ${String(tokenInfo.access_token)}` },
    });
    assert.equal(api.status, 200);
    for (const name of [
      "x-rate-limit-group",
      "x-rate-limit-limit",
      "x-rate-limit-remaining",
      "x-rate-limit-window",
    ]) {
      assert.ok(api.headers.get(name) !== null, name);
    }
    const noBearer = await fetch(`${emu.url}/restapi/v1.0/account/~/extension/~/device`);
    assert.equal(noBearer.status, 401);
  });

  test("rate limit: 429 with Retry-After and a CMN-301 body once the group is used up", async () => {
    const emu = await startEmulator({ rateLimits: { auth: { limit: 1, windowS: 60, penaltyS: 7 } } });
    const auth = { Authorization: basic(emu.clientId, emu.clientSecret ?? "") };
    const grant = { grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion: makeJwt() };
    assert.equal((await token(emu.url, grant, auth)).status, 200);
    const limited = await token(emu.url, grant, auth);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get("retry-after"), "7");
    assert.equal(limited.headers.get("x-rate-limit-remaining"), "0");
    const body = (await limited.json()) as { errors: { errorCode: string }[] };
    assert.equal(body.errors[0]?.errorCode, "CMN-301");
  });

  test("WSG: ConnectionDetails first, ClientRequest echoes messageId, Heartbeat echoed, notifications carry wsc", async () => {
    const emu = await startEmulator();
    const auth = { Authorization: basic(emu.clientId, emu.clientSecret ?? "") };
    const grant = { grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion: makeJwt() };
    const { access_token } = (await (await token(emu.url, grant, auth)).json()) as { access_token: string };
    const wsToken = (await (
      await fetch(`${emu.url}/restapi/oauth/wstoken`, {
        method: "POST",
        headers: { Authorization: `Bearer ${access_token}` },
      })
    ).json()) as { ws_access_token: string; uri: string; expires_in: number };
    assert.match(wsToken.uri, /^ws:\/\/127\.0\.0\.1:\d+\/ws$/);

    const ws = new WebSocket(`${wsToken.uri}?access_token=${wsToken.ws_access_token}`);
    const inbox = frames(ws);
    try {
      const [details, detailsBody] = await inbox.next(() => true);
      assert.equal(details.type, "ConnectionDetails");
      assert.equal(inbox.all.indexOf(inbox.all[0] as Frame), 0);
      assert.equal((detailsBody as { recoveryTimeout: number }).recoveryTimeout, 180);
      assert.ok((details.wsc as { token: string }).token.length > 0);

      ws.send("not json");
      ws.send(JSON.stringify({ not: "an array" }));
      ws.send(JSON.stringify([{ type: "Heartbeat", messageId: "hb-1" }]));
      const [heartbeat] = await inbox.next(([m]) => m.type === "Heartbeat");
      assert.equal(heartbeat.messageId, "hb-1");
      assert.equal(emu.gateway.counters.malformedFrames, 2);

      ws.send(
        JSON.stringify([
          { type: "ClientRequest", messageId: "req-1", method: "POST", path: "/restapi/v1.0/subscription" },
          {
            eventFilters: ["/restapi/v1.0/account/~/extension/~/telephony/sessions?sipData=true"],
            deliveryMode: { transportType: "WebSocket" },
          },
        ]),
      );
      const [reply, subscription] = await inbox.next(([m]) => m.messageId === "req-1");
      assert.equal(reply.type, "ClientRequest");
      assert.equal(reply.status, 200);
      const subscriptionId = (subscription as { id: string }).id;

      ws.send(
        JSON.stringify([
          {
            type: "ClientRequest",
            messageId: "req-2",
            method: "GET",
            path: "/restapi/v1.0/account/~/extension/~/device",
          },
        ]),
      );
      const [restReply, restBody] = await inbox.next(([m]) => m.messageId === "req-2");
      assert.equal(restReply.status, 200, "REST over the WebSocket");
      assert.ok(Array.isArray((restBody as { records: unknown[] }).records));

      emu.simulateInboundCall({ sipCallId: "raw@example", from: "+16505550111", to: "+16505550100" });
      const [meta, notification] = await inbox.next(([m]) => m.type === "ServerNotification");
      assert.ok((meta.wsc as { sequence: number }).sequence > (details.wsc as { sequence: number }).sequence);
      const n = notification as {
        subscriptionId: string;
        event: string;
        body: { parties: { sipData: { callId: string }; status: { code: string } }[] };
      };
      assert.equal(n.subscriptionId, subscriptionId);
      assert.match(n.event, /^\/restapi\/v1\.0\/account\/\d+\/extension\/\d+\/telephony\/sessions/);
      assert.equal(n.body.parties[0]?.sipData.callId, "raw@example");
      assert.equal(n.body.parties[0]?.status.code, "Setup");
    } finally {
      ws.close();
    }
  });

  test("WSG refuses a bad ws token with an Error frame", async () => {
    const emu = await startEmulator();
    const ws = new WebSocket(`${emu.url.replace("http", "ws")}/ws?access_token=nope`);
    const inbox = frames(ws);
    const [meta, body] = await inbox.next(() => true);
    assert.equal(meta.type, "Error");
    assert.equal((body as { errorCode: string }).errorCode, "WSG-401");
    ws.close();
  });

  test("subscriptions without sipData=true get events without sipData", async () => {
    const emu = await startEmulator();
    const hub = emu.hub;
    const received: Record<string, unknown>[] = [];
    const sub = hub.create(
      ["/restapi/v1.0/account/~/extension/~/telephony/sessions"],
      { transportType: "WebSocket", wsSessionKey: "none" },
      60,
    );
    const original = emu.gateway.deliver.bind(emu.gateway);
    emu.gateway.deliver = (_key, notification) => {
      received.push(notification);
      original("none", notification);
    };
    emu.simulateInboundCall({ sipCallId: "nosip@example", from: "+1", to: "+2" });
    assert.equal(received.length, 1);
    const first = received[0];
    assert.ok(first !== undefined);
    const party = (first.body as { parties: Record<string, unknown>[] }).parties[0];
    assert.ok(party !== undefined && !("sipData" in party));
    assert.equal(received[0]?.subscriptionId, sub.id);
  });
});
