import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeClock, RingagentError } from "../shared/index.js";
import { CallCorrelator } from "./call-correlator.js";
import { parseTelephonyNotification, type TelephonySessionEvent } from "./telephony-event.js";

/** A notification shaped like the fact sheet's real sequence (ringcentral.md 4.3). */
function notification(
  sequence: number,
  code: string,
  callId = "call-1@example",
  extra: Record<string, unknown> = {},
) {
  return {
    uuid: `u-${sequence}`,
    event: "/restapi/v1.0/account/1/extension/2/telephony/sessions",
    timestamp: "2026-01-01T00:00:00.000Z",
    subscriptionId: "sub-1",
    ownerId: "2",
    body: {
      sequence,
      sessionId: "429180487016",
      telephonySessionId: "s-718107795d564867a6f635fd81e89940",
      serverId: "10.13.22.27.TAM",
      eventTime: "2026-01-01T00:00:00.000Z",
      origin: { type: "Call" },
      parties: [
        {
          accountId: "1",
          extensionId: "2",
          id: "p-718107795d564867a6f635fd81e89940-3",
          direction: "Inbound",
          to: { phoneNumber: "+16505550100", extensionId: "2" },
          from: { phoneNumber: "+16505550111" },
          status: { code, rcc: false, ...extra },
          park: {},
          missedCall: false,
          standAlone: false,
          muted: false,
          sipData: { toTag: "t", fromTag: "f", callId },
        },
      ],
    },
  };
}

function parsed(value: unknown): TelephonySessionEvent {
  const event = parseTelephonyNotification(value);
  assert.ok(event !== undefined);
  return event;
}

describe("parseTelephonyNotification", () => {
  test("reads ids, status, reason and sipData", () => {
    const event = parsed(notification(8, "Disconnected", "c@x", { reason: "CallFinished" }));
    assert.equal(event.telephonySessionId, "s-718107795d564867a6f635fd81e89940");
    assert.equal(event.sequence, 8);
    assert.equal(event.subscriptionId, "sub-1");
    assert.deepEqual(event.parties[0]?.status, {
      code: "Disconnected",
      rawCode: "Disconnected",
      reason: "CallFinished",
    });
    assert.equal(event.parties[0]?.sipData?.callId, "c@x");
  });

  test("an unknown status code is kept as Unknown with its raw text", () => {
    const event = parsed(notification(1, "Teleported"));
    assert.equal(event.parties[0]?.status.code, "Unknown");
    assert.equal(event.parties[0]?.status.rawCode, "Teleported");
  });

  test("fuzz: 20k mutated notifications never throw", () => {
    const base = JSON.stringify(notification(3, "Answered"));
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const junk = ['"', "{", "}", "[", "]", ",", ":", "null", "1e999", '"x"', "true", ""];
    let parsedCount = 0;
    for (let i = 0; i < 20_000; i += 1) {
      const chars = [...base];
      for (let m = 0; m < 1 + Math.floor(random() * 4); m += 1) {
        const at = Math.floor(random() * chars.length);
        chars.splice(at, Math.floor(random() * 3), junk[Math.floor(random() * junk.length)] ?? "");
      }
      let value: unknown;
      try {
        value = JSON.parse(chars.join(""));
      } catch {
        value = chars.join("");
      }
      if (parseTelephonyNotification(value) !== undefined) parsedCount += 1;
    }
    for (const value of [
      null,
      1,
      "x",
      [],
      {},
      { body: null },
      { body: { telephonySessionId: 1, parties: {} } },
    ]) {
      assert.equal(parseTelephonyNotification(value), undefined);
    }
    assert.ok(parsedCount > 0, "some mutations stay valid");
  });
});

describe("CallCorrelator", () => {
  test("binds session and party ids, drops duplicates, orders out-of-order events", () => {
    const correlator = new CallCorrelator({ clock: new FakeClock() });
    const call = correlator.expectCall("call-1@example");
    const seen: string[] = [];
    call.onStatus((c) => seen.push(c.code));
    correlator.handleEvent(parsed(notification(6, "Setup")));
    correlator.handleEvent(parsed(notification(8, "Answered")));
    correlator.handleEvent(parsed(notification(7, "Proceeding"))); // late
    correlator.handleEvent(parsed(notification(8, "Answered"))); // duplicate
    assert.equal(call.telephonySessionId, "s-718107795d564867a6f635fd81e89940");
    assert.equal(call.partyId, "p-718107795d564867a6f635fd81e89940-3");
    assert.deepEqual(
      call.history.map((c) => c.code),
      ["Setup", "Proceeding", "Answered"],
    );
    assert.equal(call.current?.code, "Answered", "a late event does not move the status back");
    assert.deepEqual(seen, ["Setup", "Answered", "Proceeding"]);
    assert.equal(correlator.counters.duplicates, 1);
  });

  test("events for other calls are held until expected, and expire", () => {
    const clock = new FakeClock();
    const correlator = new CallCorrelator({ clock, holdMs: 1000 });
    correlator.handleEvent(parsed(notification(1, "Setup", "early@x")));
    correlator.handleEvent(parsed(notification(1, "Setup", "stale@x")));
    assert.equal(correlator.expectCall("early@x").history.length, 1);
    clock.advance(1001);
    correlator.handleEvent(parsed(notification(2, "Setup", "fresh@x")));
    assert.equal(correlator.expectCall("stale@x").history.length, 0, "held too long");
    assert.equal(correlator.expectCall("fresh@x").history.length, 1);
  });

  test("waitFor resolves from history or a later event, and times out on the clock", async () => {
    const clock = new FakeClock();
    const correlator = new CallCorrelator({ clock });
    const call = correlator.expectCall("call-1@example");
    const answered = call.waitFor("Answered");
    correlator.handleEvent(parsed(notification(2, "Answered")));
    assert.equal((await answered).sequence, 2);
    assert.equal((await call.waitFor(["Answered", "Hold"])).code, "Answered");
    const never = call.waitFor("Parked", { timeoutMs: 500 });
    clock.advance(500);
    await assert.rejects(
      never,
      (e: unknown) => e instanceof RingagentError && e.code === "ringcentral_event_timeout",
    );
    const controller = new AbortController();
    const aborted = call.waitFor("Parked", { signal: controller.signal });
    controller.abort();
    await assert.rejects(aborted);
  });

  test("re-sync status wins; the replayed event that confirms it is not announced twice", () => {
    const correlator = new CallCorrelator({ clock: new FakeClock() });
    const call = correlator.expectCall("call-1@example");
    correlator.handleEvent(parsed(notification(2, "Answered")));
    const seen: string[] = [];
    call.onStatus((c) => seen.push(`${c.code}/${c.source}`));
    correlator.applyResync(call, "Disconnected", undefined);
    correlator.handleEvent(parsed(notification(3, "Disconnected")));
    correlator.handleEvent(parsed(notification(1, "Setup"))); // very late
    assert.deepEqual(seen, ["Disconnected/resync", "Setup/event"]);
    assert.ok(call.ended, "a late event never un-ends the call");
  });
});
