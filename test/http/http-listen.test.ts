import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { auth, type Fixture, makeFixture } from "./http-fixture.js";

let fx: Fixture;
before(async () => {
  fx = await makeFixture();
});
after(async () => {
  await fx.cleanup();
});

test("real listen on 127.0.0.1:0: health, auth, a ranged download; graceful close finishes in-flight requests", async () => {
  let releaseProbe: () => void = () => undefined;
  let probeStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    probeStarted = resolve;
  });
  let slow = false;
  const server = fx.server({
    readiness: async () => {
      if (slow) {
        probeStarted();
        await new Promise<void>((resolve) => {
          releaseProbe = resolve;
        });
      }
      return [{ name: "store", ok: true }];
    },
    readinessTimeoutMs: 10_000,
  });
  const { port, url } = await server.listen();
  assert.ok(port > 0);
  assert.equal(url, `http://127.0.0.1:${port}`);

  const health = await fetch(`${url}/healthz`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: "ok" });
  assert.equal((await fetch(`${url}/api/v1/calls`)).status, 401);

  const ranged = await fetch(`${url}/api/v1/calls/${fx.endedId}/recording`, {
    headers: { ...auth, range: "bytes=4-11" },
  });
  assert.equal(ranged.status, 206);
  assert.equal(ranged.headers.get("content-range"), `bytes 4-11/${fx.recordingBytes.length}`);
  assert.deepEqual(Buffer.from(await ranged.arrayBuffer()), fx.recordingBytes.subarray(4, 12));

  // An in-flight request survives close(): close waits for it.
  slow = true;
  const inFlight = fetch(`${url}/readyz`);
  await started;
  const closed = server.close();
  releaseProbe();
  assert.equal((await inFlight).status, 200);
  await closed;
  await server.close();
  await assert.rejects(fetch(`${url}/healthz`));
});
