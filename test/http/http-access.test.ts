import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createHttpServer, createMetrics, isLoopbackHost, parseHttpListen } from "../../src/http/index.js";
import { auth, type Fixture, makeFixture } from "./http-fixture.js";

let fx: Fixture;
before(async () => {
  fx = await makeFixture();
});
after(async () => {
  await fx.cleanup();
});

describe("bearer token", () => {
  test("/healthz and /readyz need no token", async () => {
    const { app } = fx.server();
    assert.equal((await app.inject({ url: "/healthz" })).statusCode, 200);
    assert.equal((await app.inject({ url: "/healthz?probe=1" })).statusCode, 200);
    assert.equal((await app.inject({ url: "/readyz" })).statusCode, 200);
  });

  test("no token: 401 with WWW-Authenticate: Bearer and a JSON body saying what is missing", async () => {
    const { app } = fx.server();
    for (const url of [
      "/api/v1/calls",
      "/metrics",
      `/api/v1/calls/${fx.endedId}/recording`,
      "/no/such/route",
    ]) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 401, url);
      assert.match(res.headers["www-authenticate"] as string, /^Bearer realm="ringagent"/);
      const body = res.json() as { error: { code: string; message: string } };
      assert.equal(body.error.code, "unauthorized");
      assert.match(body.error.message, /Authorization: Bearer/);
    }
  });

  test("another scheme or an empty bearer: 401 invalid_request", async () => {
    const { app } = fx.server();
    for (const authorization of ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "Token abc"]) {
      const res = await app.inject({ url: "/api/v1/calls", headers: { authorization } });
      assert.equal(res.statusCode, 401, authorization);
      assert.match(res.headers["www-authenticate"] as string, /error="invalid_request"/);
    }
  });

  test("wrong token: 403; right token: 200 (scheme case-insensitive)", async () => {
    const { app } = fx.server();
    for (const wrong of ["Bearer nope", "Bearer test-token-012345678", "Bearer test-token-01234567890"]) {
      const res = await app.inject({ url: "/api/v1/calls", headers: { authorization: wrong } });
      assert.equal(res.statusCode, 403, wrong);
      assert.equal((res.json() as { error: { code: string } }).error.code, "forbidden");
    }
    assert.equal((await app.inject({ url: "/api/v1/calls", headers: auth })).statusCode, 200);
    const lower = { authorization: auth.authorization.replace("Bearer", "bearer") };
    assert.equal((await app.inject({ url: "/api/v1/calls", headers: lower })).statusCode, 200);
  });

  test("an unknown route with a valid token is a JSON 404", async () => {
    const res = await fx.server().app.inject({ url: "/api/v1/nothing", headers: auth });
    assert.equal(res.statusCode, 404);
    assert.deepEqual(res.json(), { error: { code: "not_found", message: "no such route" } });
  });
});

describe("no token configured", () => {
  test("refuses to start on a non-loopback address with a clear error", () => {
    for (const listen of ["0.0.0.0:8080", "[::]:8080", "192.0.2.10:8080", "example.com"]) {
      assert.throws(
        () => fx.server({ listen, token: undefined }),
        (error: unknown) => {
          assert.equal((error as { code?: unknown }).code, "http_token_required");
          assert.match((error as Error).message, /no API token is set/);
          return true;
        },
      );
    }
  });

  test("on loopback: open to loopback Host names, refuses other Hosts and cross-site Origins", async () => {
    const server = fx.server({ token: undefined });
    assert.equal(server.accessMode, "loopback-open");
    const get = (headers: Record<string, string>) =>
      server.app.inject({ url: "/api/v1/calls/live", headers });
    assert.equal((await get({ host: "127.0.0.1:8080" })).statusCode, 200);
    assert.equal((await get({ host: "localhost:8080" })).statusCode, 200);
    assert.equal((await get({ host: "[::1]:8080" })).statusCode, 200);
    assert.equal((await get({ host: "127.0.0.1:8080", origin: "http://localhost:3000" })).statusCode, 200);
    const rebound = await get({ host: "evil.example:8080" });
    assert.equal(rebound.statusCode, 403);
    assert.equal((rebound.json() as { error: { code: string } }).error.code, "host_not_allowed");
    const crossSite = await server.app.inject({
      method: "POST",
      url: `/api/v1/calls/${fx.liveId}/hangup`,
      headers: { host: "127.0.0.1:8080", origin: "https://evil.example" },
    });
    assert.equal(crossSite.statusCode, 403);
    assert.equal((crossSite.json() as { error: { code: string } }).error.code, "origin_not_allowed");
    assert.equal((await get({ host: "127.0.0.1", origin: "null" })).statusCode, 403);
    assert.equal(
      (await server.app.inject({ url: "/healthz", headers: { host: "evil.example" } })).statusCode,
      200,
    );
  });
});

test("parseHttpListen and isLoopbackHost", () => {
  assert.deepEqual(parseHttpListen("127.0.0.1:8080"), { host: "127.0.0.1", port: 8080 });
  assert.deepEqual(parseHttpListen("127.0.0.1"), { host: "127.0.0.1", port: 8080 });
  assert.deepEqual(parseHttpListen("[::1]:80"), { host: "::1", port: 80 });
  assert.deepEqual(parseHttpListen("localhost:0"), { host: "localhost", port: 0 });
  for (const bad of ["a b", "host/path", "user@host:1", "host:99999"]) {
    assert.throws(() => parseHttpListen(bad), { code: "http_listen_invalid" }, bad);
  }
  for (const yes of ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", "LOCALHOST", "a.localhost"]) {
    assert.ok(isLoopbackHost(yes), yes);
  }
  for (const no of ["0.0.0.0", "::", "10.0.0.1", "example.com", "128.0.0.1", "localhost.example.com"]) {
    assert.ok(!isLoopbackHost(no), no);
  }
});

test("metrics registry is served at /metrics in the Prometheus text format", async () => {
  const metrics = createMetrics({ processMetrics: false });
  metrics.recorder.callStarted("main");
  const server = createHttpServer({
    listen: "127.0.0.1:0",
    token: "t",
    store: fx.store,
    calls: fx.controller,
    readiness: async () => [],
    registry: metrics.registry,
  });
  const res = await server.app.inject({ url: "/metrics", headers: { authorization: "Bearer t" } });
  await server.close();
  assert.equal(res.statusCode, 200);
  assert.match(res.headers["content-type"] as string, /^text\/plain; version=0\.0\.4/);
  assert.match(res.body, /^ringagent_calls_active\{line="main"\} 1$/m);
  assert.match(res.body, /# TYPE ringagent_turn_wire_to_wire_ms histogram/);
});
