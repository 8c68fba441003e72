/**
 * The behaviour every CallStore must have, run against SQLite (temp file) and a real PostgreSQL.
 * `fresh()` returns an empty, migrated store; each test closes the store it opened.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { newId, RingagentError } from "../../src/shared/index.js";
import type { CallStore, NewCall, TurnRecord } from "../../src/store/index.js";

export interface ContractOptions {
  fresh(): Promise<CallStore>;
}

const t0 = 1_760_000_000_000;

export function newCall(overrides: Partial<NewCall> = {}): NewCall {
  return {
    id: newId(),
    instance: "host-a",
    line: "main",
    agent: "receptionist",
    direction: "inbound",
    from: "+15550100",
    to: "+15550199",
    startedAtMs: t0,
    ...overrides,
  };
}

export function turn(callId: string, index: number, overrides: Partial<TurnRecord> = {}): TurnRecord {
  return {
    callId,
    index,
    startedAtMs: t0 + index * 10_000,
    callerText: `caller ${index}`,
    agentText: `agent ${index}`,
    interrupted: false,
    latency: {
      endpointingMs: 300,
      sttFinalMs: 120,
      llmFirstTokenMs: 400,
      ttsFirstAudioMs: 90,
      wireToWireMs: 950,
    },
    ...overrides,
  };
}

function hasCode(code: string): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof RingagentError, `expected RingagentError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  };
}

async function withStore(options: ContractOptions, fn: (store: CallStore) => Promise<void>): Promise<void> {
  const store = await options.fresh();
  try {
    await fn(store);
  } finally {
    await store.close();
  }
}

export function callStoreContract(options: ContractOptions): void {
  test("insertCall then getCall round-trips every field; a new call is active", async () => {
    await withStore(options, async (store) => {
      const call = newCall({ sipCallId: "abc@host", rcTelephonySessionId: "s-1", rcPartyId: "p-1" });
      await store.insertCall(call);
      const detail = await store.getCall(call.id);
      assert.ok(detail);
      assert.deepEqual(detail.call, {
        ...call,
        answeredAtMs: null,
        endedAtMs: null,
        status: "active",
        outcome: null,
        endReason: null,
        recordingPath: null,
        recordingDurationMs: null,
      });
      assert.deepEqual(detail.turns, []);
      assert.deepEqual(detail.events, []);
      assert.deepEqual(detail.messages, []);
    });
  });

  test("insertCall rejects a duplicate id (store_conflict) and a non-UUID id (store_invalid)", async () => {
    await withStore(options, async (store) => {
      const call = newCall();
      await store.insertCall(call);
      await assert.rejects(store.insertCall(call), hasCode("store_conflict"));
      await assert.rejects(store.insertCall(newCall({ id: "not-a-uuid" })), hasCode("store_invalid"));
      await assert.rejects(store.insertCall(newCall({ startedAtMs: -1 })), hasCode("store_invalid"));
    });
  });

  test("ids are case-insensitive UUIDs; getCall of an unknown or malformed id is undefined", async () => {
    await withStore(options, async (store) => {
      const call = newCall({ id: newId().toUpperCase() });
      await store.insertCall(call);
      assert.equal((await store.getCall(call.id))?.call.id, call.id.toLowerCase());
      assert.equal(await store.getCall(newId()), undefined);
      assert.equal(await store.getCall("'; DROP TABLE calls; --"), undefined);
    });
  });

  test("updateCall changes only the given fields and reports whether the call exists", async () => {
    await withStore(options, async (store) => {
      const call = newCall();
      await store.insertCall(call);
      assert.equal(await store.updateCall(call.id, { answeredAtMs: t0 + 500 }), true);
      assert.equal(
        await store.updateCall(call.id, {
          endedAtMs: t0 + 60_000,
          status: "ended",
          outcome: "transferred",
          endReason: "agent_transfer",
          recordingPath: "/rec/a.wav",
          recordingDurationMs: 59_500,
        }),
        true,
      );
      assert.equal(await store.updateCall(call.id, {}), true);
      assert.equal(await store.updateCall(newId(), { status: "ended" }), false);
      assert.equal(await store.updateCall("nope", { status: "ended" }), false);
      const got = (await store.getCall(call.id))?.call;
      assert.ok(got);
      assert.equal(got.answeredAtMs, t0 + 500);
      assert.equal(got.endedAtMs, t0 + 60_000);
      assert.equal(got.status, "ended");
      assert.equal(got.outcome, "transferred");
      assert.equal(got.endReason, "agent_transfer");
      assert.equal(got.recordingPath, "/rec/a.wav");
      assert.equal(got.recordingDurationMs, 59_500);
      assert.equal(got.from, call.from);
    });
  });

  test("appendTurn keeps turns in index order, replaces a re-written index, rounds latencies", async () => {
    await withStore(options, async (store) => {
      const call = newCall();
      await store.insertCall(call);
      await store.appendTurn(turn(call.id, 1));
      await store.appendTurn(turn(call.id, 0, { agentText: "partial" }));
      await store.appendTurn(
        turn(call.id, 0, {
          agentText: "Привет, чем могу помочь?",
          interrupted: true,
          latency: {
            endpointingMs: 300.4,
            sttFinalMs: null,
            llmFirstTokenMs: 401.6,
            ttsFirstAudioMs: 0,
            wireToWireMs: null,
          },
        }),
      );
      const turns = (await store.getCall(call.id))?.turns;
      assert.ok(turns);
      assert.deepEqual(
        turns.map((t) => [t.index, t.agentText, t.interrupted]),
        [
          [0, "Привет, чем могу помочь?", true],
          [1, "agent 1", false],
        ],
      );
      assert.deepEqual(turns[0]?.latency, {
        endpointingMs: 300,
        sttFinalMs: null,
        llmFirstTokenMs: 402,
        ttsFirstAudioMs: 0,
        wireToWireMs: null,
      });
      assert.deepEqual(turns[1], turn(call.id, 1));
      await assert.rejects(store.appendTurn(turn(newId(), 0)), hasCode("store_not_found"));
      await assert.rejects(store.appendTurn(turn(call.id, -1)), hasCode("store_invalid"));
    });
  });

  test("appendEvent stores JSON data and keeps insertion order", async () => {
    await withStore(options, async (store) => {
      const call = newCall();
      await store.insertCall(call);
      const data = { target: "+15550123", nested: { list: [1, "two", null, true] }, ru: "перевод" };
      await store.appendEvent({ callId: call.id, atMs: t0 + 2_000, type: "transfer", data });
      await store.appendEvent({ callId: call.id, atMs: t0 + 1_000, type: "dtmf", data: { digits: "12#" } });
      await store.appendEvent({ callId: call.id, atMs: t0 + 3_000, type: "error", data: null });
      const events = (await store.getCall(call.id))?.events;
      assert.ok(events);
      assert.deepEqual(
        events.map((e) => [e.type, e.atMs, e.data]),
        [
          ["transfer", t0 + 2_000, data],
          ["dtmf", t0 + 1_000, { digits: "12#" }],
          ["error", t0 + 3_000, null],
        ],
      );
      assert.ok((events[0]?.seq ?? 0) < (events[1]?.seq ?? 0));
      await assert.rejects(
        store.appendEvent({ callId: newId(), atMs: t0, type: "hold", data: {} }),
        hasCode("store_not_found"),
      );
    });
  });

  test("addMessage: listed newest first with paging by time, and part of the call's detail", async () => {
    await withStore(options, async (store) => {
      const call = newCall();
      await store.insertCall(call);
      const messages = [0, 1, 2].map((i) => ({
        id: newId(),
        callId: call.id,
        atMs: t0 + i * 1_000,
        callerName: i === 0 ? null : `Name ${i}`,
        callerNumber: i === 0 ? null : "+15550100",
        text: `message ${i}`,
        recordingPath: i === 2 ? "/rec/m2.wav" : null,
      }));
      for (const m of messages) await store.addMessage(m);
      const first = messages[0];
      assert.ok(first);
      await assert.rejects(store.addMessage(first), hasCode("store_conflict"));
      await assert.rejects(
        store.addMessage({ ...first, id: newId(), callId: newId() }),
        hasCode("store_not_found"),
      );
      assert.deepEqual(await store.listMessages(), [...messages].reverse());
      assert.deepEqual(await store.listMessages({ limit: 1 }), [messages[2]]);
      assert.deepEqual(await store.listMessages({ beforeMs: t0 + 2_000 }), [messages[1], messages[0]]);
      assert.deepEqual((await store.getCall(call.id))?.messages, messages);
    });
  });

  test("markInterrupted marks only this instance's active calls and returns the count", async () => {
    await withStore(options, async (store) => {
      const mine = newCall();
      const ended = newCall();
      const other = newCall({ instance: "host-b" });
      for (const c of [mine, ended, other]) await store.insertCall(c);
      await store.updateCall(ended.id, { status: "ended", endedAtMs: t0 + 5, outcome: "completed" });
      assert.equal(await store.markInterrupted("host-a", t0 + 9_000), 1);
      assert.equal(await store.markInterrupted("host-a", t0 + 9_999), 0);
      const got = (await store.getCall(mine.id))?.call;
      assert.equal(got?.status, "interrupted");
      assert.equal(got?.endReason, "process_died");
      assert.equal(got?.endedAtMs, t0 + 9_000);
      assert.equal((await store.getCall(ended.id))?.call.status, "ended");
      assert.deepEqual(
        (await store.liveCalls()).map((c) => c.id),
        [other.id],
      );
    });
  });

  test("liveCalls lists active calls oldest first", async () => {
    await withStore(options, async (store) => {
      const later = newCall({ startedAtMs: t0 + 100 });
      const earlier = newCall({ startedAtMs: t0 });
      const done = newCall({ startedAtMs: t0 + 50 });
      for (const c of [later, earlier, done]) await store.insertCall(c);
      await store.updateCall(done.id, { status: "ended" });
      assert.deepEqual(
        (await store.liveCalls()).map((c) => c.id),
        [earlier.id, later.id],
      );
    });
  });

  test("listCalls filters by line, agent, outcome, status and time range", async () => {
    await withStore(options, async (store) => {
      const a = newCall({ line: "main", startedAtMs: t0 });
      const b = newCall({ line: "main", startedAtMs: t0 + 1_000, agent: "sales" });
      const c = newCall({ line: "trunk", startedAtMs: t0 + 2_000 });
      for (const call of [a, b, c]) await store.insertCall(call);
      await store.updateCall(a.id, { status: "ended", outcome: "completed" });
      await store.updateCall(b.id, { status: "ended", outcome: "transferred" });
      const ids = async (q: Parameters<CallStore["listCalls"]>[0]): Promise<string[]> =>
        (await store.listCalls(q)).calls.map((call) => call.id);
      assert.deepEqual(await ids({}), [c.id, b.id, a.id]);
      assert.deepEqual(await ids({ line: "main" }), [b.id, a.id]);
      assert.deepEqual(await ids({ agent: "sales" }), [b.id]);
      assert.deepEqual(await ids({ outcome: "completed" }), [a.id]);
      assert.deepEqual(await ids({ status: "active" }), [c.id]);
      assert.deepEqual(await ids({ sinceMs: t0 + 1_000 }), [c.id, b.id]);
      assert.deepEqual(await ids({ untilMs: t0 + 1_000 }), [a.id]);
      assert.deepEqual(await ids({ line: "main", sinceMs: t0 + 500, untilMs: t0 + 5_000 }), [b.id]);
      assert.deepEqual(await ids({ line: "x' OR '1'='1" }), []);
    });
  });

  test("listCalls text search: any turn, caller or agent side, case-insensitive (also Cyrillic), literal % and _", async () => {
    await withStore(options, async (store) => {
      const en = newCall({ startedAtMs: t0 });
      const ru = newCall({ startedAtMs: t0 + 1 });
      const none = newCall({ startedAtMs: t0 + 2 });
      for (const call of [en, ru, none]) await store.insertCall(call);
      await store.appendTurn(
        turn(en.id, 0, { callerText: "I need a REFUND please", agentText: "Sure, 100% done_now" }),
      );
      await store.appendTurn(turn(ru.id, 0, { callerText: "Здравствуйте", agentText: "Чем могу ПОМОЧЬ?" }));
      await store.appendTurn(turn(none.id, 0, { callerText: "hello", agentText: "hi" }));
      const ids = async (text: string): Promise<string[]> =>
        (await store.listCalls({ text })).calls.map((call) => call.id);
      assert.deepEqual(await ids("refund"), [en.id]);
      assert.deepEqual(await ids("SURE"), [en.id]);
      assert.deepEqual(await ids("помочь"), [ru.id]);
      assert.deepEqual(await ids("здравствуйте"), [ru.id]);
      assert.deepEqual(await ids("100%"), [en.id]);
      assert.deepEqual(await ids("%"), [en.id]);
      assert.deepEqual(await ids("o_d"), []);
      assert.deepEqual(await ids("done_now"), [en.id]);
      assert.deepEqual(await ids("nothing like this"), []);
      assert.deepEqual(await ids(""), [none.id, ru.id, en.id]);
    });
  });

  test("listCalls pages newest first with a cursor, stable across equal start times", async () => {
    await withStore(options, async (store) => {
      const calls = [0, 1, 1, 1, 2, 3, 4].map((i) => newCall({ startedAtMs: t0 + i * 1_000 }));
      for (const call of calls) await store.insertCall(call);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) {
        const result = await store.listCalls(cursor === undefined ? { limit: 3 } : { limit: 3, cursor });
        assert.ok(result.calls.length <= 3);
        seen.push(...result.calls.map((c) => c.id));
        if (result.nextCursor === undefined) break;
        cursor = result.nextCursor;
      }
      assert.equal(seen.length, calls.length);
      assert.equal(new Set(seen).size, calls.length);
      const expected = [...calls]
        .sort((x, y) => y.startedAtMs - x.startedAtMs || (y.id < x.id ? -1 : y.id > x.id ? 1 : 0))
        .map((c) => c.id);
      assert.deepEqual(seen, expected);
      const exact = await store.listCalls({ limit: 7 });
      assert.equal(exact.calls.length, 7);
      assert.equal(exact.nextCursor, undefined);
      await assert.rejects(store.listCalls({ cursor: "garbage" }), hasCode("store_invalid"));
      await assert.rejects(store.listCalls({ limit: 0 }), hasCode("store_invalid"));
      await assert.rejects(store.listCalls({ limit: 501 }), hasCode("store_invalid"));
    });
  });

  test("purgeOlderThan deletes old finished calls with their rows and returns their recording paths", async () => {
    await withStore(options, async (store) => {
      const old = newCall({ startedAtMs: t0 });
      const oldActive = newCall({ startedAtMs: t0 + 1 });
      const fresh = newCall({ startedAtMs: t0 + 100_000 });
      for (const c of [old, oldActive, fresh]) await store.insertCall(c);
      await store.updateCall(old.id, { status: "ended", recordingPath: "/rec/old.wav" });
      await store.updateCall(fresh.id, { status: "ended", recordingPath: "/rec/fresh.wav" });
      await store.appendTurn(turn(old.id, 0));
      await store.appendEvent({ callId: old.id, atMs: t0, type: "tool", data: { name: "lookup" } });
      await store.addMessage({
        id: newId(),
        callId: old.id,
        atMs: t0,
        callerName: null,
        callerNumber: null,
        text: "call me",
        recordingPath: "/rec/old-msg.wav",
      });
      const result = await store.purgeOlderThan(t0 + 50_000);
      assert.equal(result.deletedCalls, 1);
      assert.deepEqual([...result.recordingPaths].sort(), ["/rec/old-msg.wav", "/rec/old.wav"]);
      assert.equal(await store.getCall(old.id), undefined);
      assert.ok(await store.getCall(oldActive.id));
      assert.ok(await store.getCall(fresh.id));
      assert.deepEqual(await store.listMessages(), []);
      assert.deepEqual(await store.listCalls({ text: "caller 0" }), { calls: [] });
      assert.deepEqual(await store.purgeOlderThan(t0 + 50_000), { deletedCalls: 0, recordingPaths: [] });
    });
  });

  test("ping answers while open and rejects after close", async () => {
    const store = await options.fresh();
    await store.ping();
    await store.close();
    await assert.rejects(store.ping());
    await store.close();
  });
}
