import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type CallState, canTransition, holdParty, isEstablished, transition } from "./call-state.js";

const states: CallState[] = ["ringing", "answering", "active", "on_hold", "transferring", "ending", "ended"];

describe("call state machine", () => {
  test("the normal inbound path is allowed", () => {
    let s: CallState = "ringing";
    for (const next of [
      "answering",
      "active",
      "on_hold",
      "active",
      "transferring",
      "ending",
      "ended",
    ] as const) {
      s = transition(s, next);
    }
    assert.equal(s, "ended");
  });

  test("ended is final and every state can reach ended", () => {
    for (const s of states) {
      assert.equal(canTransition("ended", s), false);
      if (s !== "ended") assert.equal(canTransition(s, "ended"), true, `${s} -> ended`);
    }
  });

  test("invalid moves throw a coded error", () => {
    assert.throws(() => transition("ringing", "on_hold"), { code: "call_invalid_transition" });
    assert.throws(() => transition("ending", "active"), { code: "call_invalid_transition" });
    assert.throws(() => transition("answering", "transferring"), { code: "call_invalid_transition" });
  });

  test("established and hold helpers", () => {
    assert.deepEqual(
      states.filter((s) => isEstablished(s)),
      ["active", "on_hold", "transferring"],
    );
    assert.equal(holdParty(false, false), undefined);
    assert.equal(holdParty(true, false), "local");
    assert.equal(holdParty(false, true), "remote");
    assert.equal(holdParty(true, true), "both");
  });
});
