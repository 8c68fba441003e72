import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SipHeaders } from "../message/sip-headers.js";
import {
  formatWarning,
  hasOptionTag,
  parseMinSe,
  parseSessionExpires,
  sessionTimerResponseHeaders,
} from "./session-timer-headers.js";

describe("RFC 4028 / Warning header text", () => {
  test("Session-Expires with and without refresher, compact form, malformed", () => {
    assert.deepEqual(parseSessionExpires(new SipHeaders([["Session-Expires", "90;refresher=uas"]])), {
      deltaS: 90,
      refresher: "uas",
    });
    assert.deepEqual(parseSessionExpires(new SipHeaders([["x", "1800 ; Refresher = UAC"]])), {
      deltaS: 1800,
      refresher: "uac",
    });
    assert.deepEqual(parseSessionExpires(new SipHeaders([["Session-Expires", "600"]])), {
      deltaS: 600,
      refresher: undefined,
    });
    for (const bad of ["", "abc", "-5", "0", "90;;", "1e3", "99999999999999"]) {
      assert.equal(parseSessionExpires(new SipHeaders([["Session-Expires", bad]])), undefined, bad);
    }
    assert.equal(parseSessionExpires(new SipHeaders()), undefined);
  });

  test("Min-SE and option tags", () => {
    assert.equal(parseMinSe(new SipHeaders([["Min-SE", "90;lr"]])), 90);
    assert.equal(parseMinSe(new SipHeaders([["Min-SE", "ninety"]])), undefined);
    const h = new SipHeaders([
      ["Supported", "replaces, Timer"],
      ["k", "100rel"],
    ]);
    assert.equal(hasOptionTag(h, "Supported", "timer"), true);
    assert.equal(hasOptionTag(h, "Supported", "100rel"), true);
    assert.equal(hasOptionTag(h, "Require", "timer"), false);
  });

  test("2xx headers: Require: timer when the UAC supports timers or must refresh", () => {
    assert.deepEqual(sessionTimerResponseHeaders({ deltaS: 90, refresher: "uas" }, false), [
      ["Session-Expires", "90;refresher=uas"],
      ["Supported", "timer"],
    ]);
    assert.deepEqual(sessionTimerResponseHeaders({ deltaS: 90, refresher: "uas" }, true).at(-1), [
      "Require",
      "timer",
    ]);
  });

  test("Warning: code range, quoting, no control characters", () => {
    assert.equal(formatWarning(304, "ringagent", "no common codec"), '304 ringagent "no common codec"');
    assert.equal(formatWarning(200, "a", 'say "hi"\r\nX: y'), '399 a "say \\"hi\\"  X: y"');
  });
});
