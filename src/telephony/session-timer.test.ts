import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { answerSessionTimer, sessionTimerAction } from "./session-timer.js";

describe("RFC 4028 session timers", () => {
  test("too small an interval is refused with 422 and our Min-SE", () => {
    assert.deepEqual(answerSessionTimer({ intervalS: 60, uacSupportsTimer: true }), {
      ok: false,
      status: 422,
      minSeS: 90,
    });
  });

  test("a UAC without timer support makes us the refresher", () => {
    const d = answerSessionTimer({ intervalS: 1800, refresher: "uac", uacSupportsTimer: false });
    assert.deepEqual(d, { ok: true, answer: { intervalS: 1800, refresher: "uas" } });
  });

  test("the request's refresher stands; absent, the UAC refreshes", () => {
    assert.deepEqual(answerSessionTimer({ intervalS: 600, refresher: "uas", uacSupportsTimer: true }), {
      ok: true,
      answer: { intervalS: 600, refresher: "uas" },
    });
    assert.deepEqual(answerSessionTimer({ intervalS: 600, uacSupportsTimer: true }), {
      ok: true,
      answer: { intervalS: 600, refresher: "uac" },
    });
  });

  test("refresher refreshes at half; the other side gives up min(32 s, a third) early", () => {
    assert.deepEqual(sessionTimerAction({ intervalS: 600, refresher: "uas" }, "uas"), {
      kind: "refresh",
      afterMs: 300_000,
    });
    assert.deepEqual(sessionTimerAction({ intervalS: 600, refresher: "uac" }, "uas"), {
      kind: "expire",
      afterMs: 568_000,
    });
    assert.deepEqual(sessionTimerAction({ intervalS: 90, refresher: "uac" }, "uas"), {
      kind: "expire",
      afterMs: 60_000,
    });
  });
});
