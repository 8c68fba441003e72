import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createHttpServer, createMetrics } from "../../src/http/index.js";
import { newId, RingagentError } from "../../src/shared/index.js";
import type { CallRecord, CallStore } from "../../src/store/index.js";
import { auth, type Fixture, makeFixture, t0 } from "./http-fixture.js";

let fx: Fixture;
before(async () => {
  fx = await makeFixture();
});
after(async () => {
  await fx.cleanup();
});

function errorCode(body: unknown): string {
  return (body as { error: { code: string } }).error.code;
}

describe("/readyz", () => {
  test("200 with the checks when all are ok; 503 with reasons otherwise", async () => {
    const { app } = fx.server();
    fx.readiness.checks = [
      { name: "line main", ok: true },
      { name: "store", ok: true },
    ];
    const ok = await app.inject({ url: "/readyz" });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), { ready: true, checks: fx.readiness.checks, reasons: [] });
    fx.readiness.checks = [
      { name: "line main", ok: false, detail: "not registered (403 from registrar)" },
      { name: "store", ok: true },
    ];
    const down = await app.inject({ url: "/readyz" });
    assert.equal(down.statusCode, 503);
    assert.deepEqual((down.json() as { reasons: string[] }).reasons, [
      "line main: not registered (403 from registrar)",
    ]);
    fx.readiness.checks = [{ name: "line main", ok: true }];
  });

  test("a probe that throws or hangs is not ready (503), bounded by the timeout", async () => {
    const throwing = fx.server({
      readiness: async () => {
        throw new Error("boom");
      },
    });
    assert.equal((await throwing.app.inject({ url: "/readyz" })).statusCode, 503);
    const hanging = fx.server({ readiness: () => new Promise(() => undefined), readinessTimeoutMs: 30 });
    const res = await hanging.app.inject({ url: "/readyz" });
    assert.equal(res.statusCode, 503);
    assert.match((res.json() as { reasons: string[] }).reasons[0] ?? "", /did not answer within 30 ms/);
  });
});

describe("/api/v1/calls", () => {
  test("lists newest first, filters, text search, and pages with the cursor", async () => {
    const { app } = fx.server();
    const list = async (query: string) => {
      const res = await app.inject({ url: `/api/v1/calls${query}`, headers: auth });
      assert.equal(res.statusCode, 200, `${query}: ${res.body}`);
      return res.json() as { calls: CallRecord[]; nextCursor?: string };
    };
    assert.deepEqual(
      (await list("")).calls.map((c) => c.id),
      [fx.liveId, fx.endedId],
    );
    assert.deepEqual(
      (await list("?line=main")).calls.map((c) => c.id),
      [fx.endedId],
    );
    assert.deepEqual(
      (await list("?outcome=transferred&status=ended")).calls.map((c) => c.id),
      [fx.endedId],
    );
    assert.deepEqual(
      (await list("?q=REFUND")).calls.map((c) => c.id),
      [fx.endedId],
    );
    assert.deepEqual(
      (await list(`?since=${new Date(t0 + 1).toISOString()}`)).calls.map((c) => c.id),
      [fx.liveId],
    );
    assert.deepEqual(
      (await list(`?until=${t0 + 1}`)).calls.map((c) => c.id),
      [fx.endedId],
    );
    const first = await list("?limit=1");
    assert.equal(first.calls.length, 1);
    assert.ok(first.nextCursor);
    const second = await list(`?limit=1&cursor=${encodeURIComponent(first.nextCursor)}`);
    assert.deepEqual(
      second.calls.map((c) => c.id),
      [fx.endedId],
    );
    assert.equal(second.nextCursor, undefined);
    assert.equal(first.calls[0]?.from, "+15550100");
  });

  test("malformed parameters are 400 naming the problem", async () => {
    const { app } = fx.server();
    for (const [query, pattern] of [
      ["?limit=0", /limit/],
      ["?limit=abc", /limit/],
      ["?outcome=exploded", /outcome/],
      ["?since=yesterday", /since/],
      ["?colour=red", /unknown parameter\(s\): colour/],
      ["?line=a&line=b", /line/],
      ["?cursor=garbage", /cursor/],
    ] as const) {
      const res = await app.inject({ url: `/api/v1/calls${query}`, headers: auth });
      assert.equal(res.statusCode, 400, query);
      assert.equal(errorCode(res.json()), "bad_request");
      assert.match((res.json() as { error: { message: string } }).error.message, pattern, query);
    }
  });

  test("one call with turns and events; unknown or malformed id is 404", async () => {
    const { app } = fx.server();
    const res = await app.inject({ url: `/api/v1/calls/${fx.endedId}`, headers: auth });
    assert.equal(res.statusCode, 200);
    const body = res.json() as {
      call: CallRecord;
      turns: unknown[];
      events: Array<{ type: string }>;
      messages: [];
    };
    assert.equal(body.call.outcome, "transferred");
    assert.equal(body.turns.length, 1);
    assert.deepEqual(
      body.events.map((e) => e.type),
      ["transfer"],
    );
    for (const id of [newId(), "not-a-uuid", "..%2F..%2Fetc"]) {
      const missing = await app.inject({ url: `/api/v1/calls/${id}`, headers: auth });
      assert.equal(missing.statusCode, 404, id);
      assert.equal(errorCode(missing.json()), "call_not_found");
    }
  });

  test("transcript as text with offsets, and the interrupted marker", async () => {
    const res = await fx
      .server()
      .app.inject({ url: `/api/v1/calls/${fx.endedId}/transcript`, headers: auth });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers["content-type"] as string, /^text\/plain; charset=utf-8/);
    const lines = res.body.trimEnd().split("\n");
    assert.match(lines[0] ?? "", /on line main \(agent receptionist\).*outcome transferred/);
    assert.deepEqual(lines.slice(1), [
      "[00:01.2] Caller: I want a refund",
      "[00:01.2] Agent: Let me transfer you [interrupted]",
    ]);
  });

  test("live calls", async () => {
    const res = await fx.server().app.inject({ url: "/api/v1/calls/live", headers: auth });
    assert.deepEqual(
      (res.json() as { calls: CallRecord[] }).calls.map((c) => c.id),
      [fx.liveId],
    );
  });

  test("messages list", async () => {
    await fx.store.addMessage({
      id: newId(),
      callId: fx.endedId,
      atMs: t0 + 3_000,
      callerName: "Ann",
      callerNumber: "+15550100",
      text: "call me back",
      recordingPath: null,
    });
    const { app } = fx.server();
    const res = await app.inject({ url: "/api/v1/messages?limit=5", headers: auth });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(
      (res.json() as { messages: Array<{ text: string }> }).messages.map((m) => m.text),
      ["call me back"],
    );
    assert.equal((await app.inject({ url: "/api/v1/messages?limit=x", headers: auth })).statusCode, 400);
  });
});

describe("live call control", () => {
  test("hang up: 202 when done, 404 when not live, 409 in the wrong state", async () => {
    const { app } = fx.server();
    const hangup = () =>
      app.inject({ method: "POST", url: `/api/v1/calls/${fx.liveId}/hangup`, headers: auth });
    fx.controller.result = { ok: true };
    const done = await hangup();
    assert.equal(done.statusCode, 202);
    assert.deepEqual(done.json(), { callId: fx.liveId, action: "hangup" });
    fx.controller.result = { ok: false, reason: "not_live" };
    const gone = await hangup();
    assert.equal(gone.statusCode, 404);
    assert.equal(errorCode(gone.json()), "call_not_live");
    fx.controller.result = { ok: false, reason: "wrong_state", state: "ringing" };
    const early = await hangup();
    assert.equal(early.statusCode, 409);
    assert.equal(errorCode(early.json()), "call_wrong_state");
    assert.match(early.body, /while ringing/);
    assert.equal(fx.controller.actions.at(-1), `hangup ${fx.liveId}`);
    fx.controller.result = { ok: true };
  });

  test("transfer passes the target; a missing or malformed body is 400", async () => {
    const { app } = fx.server();
    const transfer = (payload: string, contentType = "application/json") =>
      app.inject({
        method: "POST",
        url: `/api/v1/calls/${fx.liveId}/transfer`,
        headers: { ...auth, "content-type": contentType },
        payload,
      });
    const ok = await transfer(JSON.stringify({ target: " +15550123 " }));
    assert.equal(ok.statusCode, 202);
    assert.equal(fx.controller.actions.at(-1), `transfer ${fx.liveId} +15550123`);
    for (const bad of ["{}", '{"target":""}', '{"target":5}', "{not json", '{"target":"x","extra":1}']) {
      const res = await transfer(bad);
      assert.equal(res.statusCode, 400, bad);
      assert.equal(errorCode(res.json()), "bad_request");
    }
    assert.equal((await transfer("target=x", "text/plain")).statusCode, 400);
    assert.equal((await transfer("<target>x</target>", "application/xml")).statusCode, 415);
    assert.equal((await transfer(JSON.stringify({ target: "x".repeat(70_000) }))).statusCode, 413);
  });
});

describe("recording download", () => {
  const url = () => `/api/v1/calls/${fx.endedId}/recording`;

  test("whole file: 200, audio/wav, Accept-Ranges, Content-Length", async () => {
    const res = await fx.server().app.inject({ url: url(), headers: auth });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers["content-type"], "audio/wav");
    assert.equal(res.headers["accept-ranges"], "bytes");
    assert.equal(res.headers["content-length"], String(fx.recordingBytes.length));
    assert.deepEqual(res.rawPayload, fx.recordingBytes);
  });

  test("ranges: 206 with Content-Range for first-last, open-ended and suffix ranges", async () => {
    const { app } = fx.server();
    const size = fx.recordingBytes.length;
    for (const [range, start, end] of [
      ["bytes=0-43", 0, 43],
      ["bytes=100-", 100, size - 1],
      ["bytes=-10", size - 10, size - 1],
      ["bytes=1000-999999", 1000, size - 1],
    ] as const) {
      const res = await app.inject({ url: url(), headers: { ...auth, range } });
      assert.equal(res.statusCode, 206, range);
      assert.equal(res.headers["content-range"], `bytes ${start}-${end}/${size}`);
      assert.equal(res.headers["content-length"], String(end - start + 1));
      assert.deepEqual(res.rawPayload, fx.recordingBytes.subarray(start, end + 1));
    }
    const multi = await app.inject({ url: url(), headers: { ...auth, range: "bytes=0-1,4-5" } });
    assert.equal(multi.statusCode, 200);
    assert.equal(multi.rawPayload.length, size);
  });

  test("unsatisfiable range: 416 with Content-Range: bytes */size", async () => {
    const size = fx.recordingBytes.length;
    const res = await fx.server().app.inject({ url: url(), headers: { ...auth, range: `bytes=${size}-` } });
    assert.equal(res.statusCode, 416);
    assert.equal(res.headers["content-range"], `bytes */${size}`);
    assert.equal(errorCode(res.json()), "range_not_satisfiable");
  });

  test("no recording, a file outside the recordings folder, or a missing file: 404", async () => {
    const { app } = fx.server();
    const live = await app.inject({ url: `/api/v1/calls/${fx.liveId}/recording`, headers: auth });
    assert.equal(live.statusCode, 404);
    assert.equal(errorCode(live.json()), "recording_not_found");
    const outside = join(fx.dir, "outside.wav");
    writeFileSync(outside, "secret");
    await fx.store.updateCall(fx.liveId, { recordingPath: outside });
    const escaped = await app.inject({ url: `/api/v1/calls/${fx.liveId}/recording`, headers: auth });
    assert.equal(escaped.statusCode, 404);
    assert.doesNotMatch(escaped.body, /secret/);
    await fx.store.updateCall(fx.liveId, { recordingPath: join(fx.recordingsDir, "..", "outside.wav") });
    assert.equal(
      (await app.inject({ url: `/api/v1/calls/${fx.liveId}/recording`, headers: auth })).statusCode,
      404,
    );
    await fx.store.updateCall(fx.liveId, { recordingPath: join(fx.recordingsDir, "gone.wav") });
    const gone = await app.inject({ url: `/api/v1/calls/${fx.liveId}/recording`, headers: auth });
    assert.equal(gone.statusCode, 404);
    assert.equal(errorCode(gone.json()), "recording_missing");
    const unconfigured = createHttpServer({
      listen: "127.0.0.1:0",
      token: "t",
      store: fx.store,
      calls: fx.controller,
      readiness: async () => [],
      registry: createMetrics({ processMetrics: false }).registry,
    });
    const notServed = await unconfigured.app.inject({ url: url(), headers: { authorization: "Bearer t" } });
    await unconfigured.close();
    assert.equal(notServed.statusCode, 404);
  });
});

test("store failures: unavailable is 503, anything else a 500 that reveals nothing", async () => {
  const failing = (error: Error): CallStore => {
    const fail = async (): Promise<never> => {
      throw error;
    };
    return {
      kind: "sqlite",
      insertCall: fail,
      updateCall: fail,
      appendTurn: fail,
      appendEvent: fail,
      addMessage: fail,
      markInterrupted: fail,
      listCalls: fail,
      getCall: fail,
      liveCalls: fail,
      listMessages: fail,
      purgeOlderThan: fail,
      ping: fail,
      close: fail,
    };
  };
  const make = (error: Error) =>
    createHttpServer({
      listen: "127.0.0.1:0",
      token: undefined,
      store: failing(error),
      calls: fx.controller,
      readiness: async () => [],
      registry: createMetrics({ processMetrics: false }).registry,
    });
  const headers = { host: "127.0.0.1" };
  const unavailable = make(new RingagentError("store_unavailable", "connection refused to db.internal:5432"));
  const res503 = await unavailable.app.inject({ url: "/api/v1/calls", headers });
  assert.equal(res503.statusCode, 503);
  assert.doesNotMatch(res503.body, /db\.internal/);
  const broken = make(new Error("SQLITE_CORRUPT at /var/lib/secret-path"));
  const res500 = await broken.app.inject({ url: "/api/v1/calls", headers });
  assert.equal(res500.statusCode, 500);
  assert.deepEqual(res500.json(), { error: { code: "internal", message: "internal error" } });
  await unavailable.close();
  await broken.close();
});
