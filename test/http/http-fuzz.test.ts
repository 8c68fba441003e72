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

/** Deterministic pseudo-random source so a failure reproduces. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state;
  };
}

test("random paths, queries, headers and bodies never produce a 5xx", async () => {
  const { app } = fx.server();
  const next = lcg(42);
  const pick = <T>(items: readonly T[]): T => items[next() % items.length] as T;
  const junk = (max: number): string => {
    const alphabet = "aZ09-_.~%&=?#/\\'\"<>{}[]:;, \u00e9\u0436\u{1F600}\u0000";
    let out = "";
    const length = next() % max;
    for (let i = 0; i < length; i++) out += alphabet[next() % alphabet.length];
    return out;
  };
  const params = ["line", "agent", "outcome", "status", "since", "until", "q", "limit", "cursor", "x"];
  const paths = [
    "/api/v1/calls",
    "/api/v1/calls/live",
    `/api/v1/calls/${fx.endedId}`,
    `/api/v1/calls/${fx.endedId}/transcript`,
    `/api/v1/calls/${fx.endedId}/recording`,
    "/api/v1/messages",
    "/readyz",
  ];
  for (let i = 0; i < 400; i++) {
    const method = pick(["GET", "POST", "PUT", "DELETE"] as const);
    let url =
      next() % 4 === 0
        ? `/api/v1/calls/${encodeURIComponent(junk(40))}/${pick(["recording", "hangup", "transfer", ""])}`
        : pick(paths);
    const query = Array.from({ length: next() % 4 }, () => `${pick(params)}=${encodeURIComponent(junk(30))}`);
    if (query.length > 0) url += `?${query.join("&")}`;
    const headers: Record<string, string> = { ...auth, range: `bytes=${junk(12)}` };
    if (method === "POST")
      headers["content-type"] = pick(["application/json", "text/plain", "application/x-junk"]);
    const res = await app.inject({
      method,
      url,
      headers,
      ...(method === "POST" ? { payload: junk(80) } : {}),
    });
    assert.ok(res.statusCode < 500, `${method} ${url} -> ${res.statusCode} ${res.body}`);
    if (res.statusCode >= 400) assert.ok(res.body.length > 0);
  }
  for (let i = 0; i < 100; i++) {
    const path = `/api/v1/calls/${fx.liveId}/transfer`;
    const res = await app.inject({
      method: "POST",
      url: path,
      headers: { ...auth, "content-type": "application/json" },
      payload: JSON.stringify({ target: junk(300) }),
    });
    assert.ok([202, 400].includes(res.statusCode), `${res.statusCode} ${res.body}`);
  }
});
