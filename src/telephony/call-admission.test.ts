import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { admitCall, callerMatches } from "./call-admission.js";

const base = {
  callerUri: "sip:+15551234@example.com",
  callerUser: "+15551234",
  activeCalls: 0,
  maxConcurrentCalls: 2,
};

describe("call admission", () => {
  test("everyone is admitted with empty lists", () => {
    assert.deepEqual(admitCall({ ...base, rules: { allow: [], deny: [] } }), { admit: true });
  });

  test("deny wins over allow; prefixes end in *; a leading + is optional", () => {
    const rules = { allow: ["1555*"], deny: ["+1555123*"] };
    assert.deepEqual(admitCall({ ...base, rules }), { admit: false, status: 603, reason: "denied" });
    assert.equal(callerMatches(["1555*"], "+15559999", "sip:x@y"), true);
    assert.equal(callerMatches(["1555"], "+15559999", "sip:x@y"), false);
  });

  test("a caller not on a non-empty allow list is declined", () => {
    const d = admitCall({ ...base, rules: { allow: ["alice"], deny: [] } });
    assert.deepEqual(d, { admit: false, status: 603, reason: "not_allowed" });
  });

  test("the concurrency cap answers 486", () => {
    const d = admitCall({ ...base, activeCalls: 2, rules: { allow: [], deny: [] } });
    assert.deepEqual(d, { admit: false, status: 486, reason: "busy" });
  });
});
