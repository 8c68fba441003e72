import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeClock, silentLogger } from "../shared/index.js";
import { RateLimitTracker, readRateLimitHeaders, throttlingGroupOf } from "./rate-limit-tracker.js";
import { RingCentralApiError } from "./rc-api-error.js";
import { type RawResponse, RestDiscipline } from "./rest-discipline.js";

function reply(status: number, headers: Record<string, string> = {}, data: unknown = {}): RawResponse {
  return { status, headers, data };
}

/** A fake `send` answering from a script; thrown like `RestException` for non-2xx. */
function scripted(responses: RawResponse[]): { send: () => Promise<RawResponse>; calls: number } {
  const state = {
    calls: 0,
    send: async (): Promise<RawResponse> => {
      const r = responses[state.calls] ?? reply(200);
      state.calls += 1;
      if (r.status >= 200 && r.status < 300) return r;
      throw Object.assign(new Error("rest"), { response: r });
    },
  };
  return state;
}

async function settle(
  clock: FakeClock,
  promise: Promise<unknown>,
  stepMs: number,
  maxMs: number,
): Promise<void> {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  for (let t = 0; t < maxMs && !done; t += stepMs) await clock.advanceAsync(stepMs, stepMs);
}

describe("RestDiscipline (fake clock, scripted responses)", () => {
  test("429 waits Retry-After on the clock, then succeeds", async () => {
    const clock = new FakeClock();
    const discipline = new RestDiscipline({ clock, logger: silentLogger() });
    const script = scripted([
      reply(429, { "Retry-After": "30" }, { errors: [{ errorCode: "CMN-301" }] }),
      reply(200),
    ]);
    const result = discipline.run("GET", "/restapi/v1.0/x", script.send);
    await clock.advanceAsync(29_000, 1000);
    assert.equal(script.calls, 1, "still waiting");
    await settle(clock, result, 1000, 5000);
    assert.equal((await result).status, 200);
    assert.equal(script.calls, 2);
    assert.equal(discipline.counters.rateLimited, 1);
  });

  test("429 without Retry-After waits the default (60 s)", async () => {
    const clock = new FakeClock();
    const discipline = new RestDiscipline({ clock, logger: silentLogger() });
    const script = scripted([reply(429), reply(200)]);
    const result = discipline.run("GET", "/restapi/v1.0/x", script.send);
    await clock.advanceAsync(59_000, 1000);
    assert.equal(script.calls, 1);
    await settle(clock, result, 1000, 5000);
    assert.equal(script.calls, 2);
  });

  test("5xx backoff grows with full jitter and gives up after maxAttempts", async () => {
    const clock = new FakeClock();
    const discipline = new RestDiscipline({
      clock,
      logger: silentLogger(),
      random: () => 1,
      policy: { maxAttempts: 3, baseDelayMs: 100 },
    });
    const script = scripted([reply(500), reply(502), reply(503)]);
    const result = discipline.run("GET", "/restapi/v1.0/x", script.send);
    const rejection = assert.rejects(
      result,
      (e: unknown) => e instanceof RingCentralApiError && e.status === 503,
    );
    await clock.advanceAsync(99, 1);
    assert.equal(script.calls, 1);
    await clock.advanceAsync(2, 1);
    assert.equal(script.calls, 2, "first retry after 100 ms");
    await clock.advanceAsync(200, 1);
    assert.equal(script.calls, 3, "second retry after 200 ms");
    await rejection;
  });

  test("401 calls onUnauthorized once and retries once", async () => {
    const clock = new FakeClock();
    const discipline = new RestDiscipline({ clock, logger: silentLogger() });
    let refreshes = 0;
    const script = scripted([reply(401), reply(401)]);
    await assert.rejects(
      discipline.run("GET", "/restapi/v1.0/x", script.send, {
        onUnauthorized: async () => {
          refreshes += 1;
        },
      }),
      (e: unknown) => e instanceof RingCentralApiError && e.code === "ringcentral_unauthorized",
    );
    assert.equal(refreshes, 1);
    assert.equal(script.calls, 2);
  });

  test("a network failure (no response) is status 0 and retryable", async () => {
    const clock = new FakeClock();
    const discipline = new RestDiscipline({ clock, logger: silentLogger(), policy: { maxAttempts: 1 } });
    await assert.rejects(
      discipline.run("GET", "/restapi/v1.0/x", async () => {
        throw new Error("ECONNREFUSED");
      }),
      (e: unknown) => e instanceof RingCentralApiError && e.status === 0 && e.retryable,
    );
  });
});

describe("RateLimitTracker", () => {
  test("Remaining 0 holds the next request until the window ends", () => {
    const tracker = new RateLimitTracker();
    tracker.observe({ group: "light", limit: 50, remaining: 0, windowS: 60 }, 1000);
    assert.equal(tracker.delayMs("light", 1000), 60_000);
    assert.equal(tracker.delayMs("light", 61_000), 0);
    tracker.issue("light", 61_000);
    assert.equal(tracker.delayMs("light", 61_000), 0, "a fresh window");
  });

  test("low Remaining spreads requests across the rest of the window", () => {
    const tracker = new RateLimitTracker({ lowRemainingFraction: 0.1 });
    tracker.observe({ group: "heavy", limit: 10, remaining: 1, windowS: 60 }, 0);
    assert.equal(tracker.delayMs("heavy", 0), 30_000);
    tracker.observe({ group: "light", limit: 50, remaining: 30, windowS: 60 }, 0);
    assert.equal(tracker.delayMs("light", 0), 0, "plenty left: no pacing");
  });

  test("a 429 block holds the group; unknown groups never wait", () => {
    const tracker = new RateLimitTracker();
    tracker.block("auth", 5000, 100);
    assert.equal(tracker.delayMs("auth", 100), 5000);
    assert.equal(tracker.delayMs("light", 100), 0);
  });

  test("headers and groups", () => {
    assert.deepEqual(
      readRateLimitHeaders({
        "x-rate-limit-group": "Light",
        "x-rate-limit-limit": "50",
        "x-rate-limit-remaining": "49",
        "x-rate-limit-window": "60",
      }),
      { group: "light", limit: 50, remaining: 49, windowS: 60 },
    );
    assert.equal(readRateLimitHeaders({ "x-rate-limit-group": "light" }), undefined);
    assert.equal(throttlingGroupOf("POST", "/restapi/oauth/token"), "auth");
    assert.equal(throttlingGroupOf("GET", "/restapi/v1.0/account/~/extension/~/call-log?x=1"), "heavy");
    assert.equal(throttlingGroupOf("POST", "/restapi/v1.0/subscription"), "medium");
    assert.equal(throttlingGroupOf("POST", "/restapi/v1.0/subscription/1/renew"), "light");
    assert.equal(
      throttlingGroupOf("POST", "/restapi/v1.0/account/~/telephony/sessions/s/parties/p/transfer"),
      "light",
    );
  });
});
