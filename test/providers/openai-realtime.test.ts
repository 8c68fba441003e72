import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { AudioFrame } from "../../src/media/index.js";
import { ProviderHttpError } from "../../src/pipeline/provider-setup/http-error.js";
import {
  RealtimeSession,
  type RealtimeSessionOptions,
} from "../../src/pipeline/realtime/realtime-session.js";
import { FakeOpenAiRealtimeServer } from "../../src/pipeline/testing/fake-servers/fake-openai-realtime-server.js";
import type { RingagentError } from "../../src/shared/index.js";

const tools = [
  {
    name: "transfer",
    description: "Transfers the caller",
    parameters: { type: "object", properties: { to: { type: "string" } } },
  },
];

function caller(ms: number, rateHz: number): AudioFrame[] {
  return Array.from({ length: ms / 20 }, () => ({
    samples: new Int16Array(rateHz / 50).fill(2000),
    sampleRateHz: rateHz,
  }));
}

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > timeoutMs) assert.fail("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("OpenAI Realtime session against the fake server", () => {
  const fake = new FakeOpenAiRealtimeServer();
  const sessions: RealtimeSession[] = [];
  before(() => fake.start());
  after(async () => {
    for (const s of sessions) s.close();
    await fake.stop();
  });
  const open = async (extra: Partial<RealtimeSessionOptions> = {}) => {
    const s = new RealtimeSession({
      apiKey: "sk-test",
      baseUrl: fake.baseUrl,
      instructions: "You are a receptionist.",
      tools,
      language: "ru-RU",
      sampleRateHz: 16_000,
      ...extra,
    });
    sessions.push(s);
    await s.connect(AbortSignal.timeout(3000));
    return s;
  };

  test("configures the session, streams caller audio at 24 kHz, plays agent audio as 20 ms frames", async () => {
    fake.replies.push({ kind: "audio", text: "Здравствуйте!", audioMs: 600 });
    fake.callerTranscript = "алло";
    const s = await open();
    const frames: AudioFrame[] = [];
    const seen: string[] = [];
    s.events.on("agent_audio", (e) => frames.push(e.frame));
    s.events.on("caller_transcript", (e) => seen.push(`caller:${e.text}`));
    s.events.on("agent_transcript", (e) => seen.push(`agent:${e.delta}`));
    let done = false;
    s.events.on("response_done", () => {
      done = true;
    });
    for (const f of caller(300, 16_000)) s.writeCallerAudio(f);
    await until(() => done);
    const update = fake.received.find((e) => e.type === "session.update") as {
      session: Record<string, unknown>;
    };
    assert.equal(update.session.type, "realtime");
    assert.equal(update.session.instructions, "You are a receptionist.");
    assert.deepEqual(update.session.tools, [{ type: "function", ...tools[0] }]);
    assert.deepEqual(update.session.audio, {
      input: {
        format: { type: "audio/pcm", rate: 24_000 },
        transcription: { model: "gpt-4o-mini-transcribe", language: "ru" },
        turn_detection: { type: "server_vad", create_response: true, interrupt_response: true },
      },
      output: { format: { type: "audio/pcm", rate: 24_000 }, voice: "marin" },
    });
    assert.equal(fake.queries.at(-1)?.get("model"), "gpt-realtime");
    const appends = fake.received.filter((e) => e.type === "input_audio_buffer.append");
    assert.ok(appends.length >= 10);
    assert.equal(Buffer.from(String(appends[0]?.audio), "base64").length, 960, "20 ms at 24 kHz");
    assert.deepEqual(seen, ["caller:алло", "agent:Здравствуйте!"]);
    assert.equal(frames.length, 30);
    assert.ok(frames.every((f) => f.sampleRateHz === 16_000 && f.samples.length === 320));
  });

  test("barge-in: truncation carries audio_end_ms = our playout position, later audio is dropped", async () => {
    fake.replies.push({ kind: "audio", text: "A long answer.", audioMs: 3000 });
    fake.deltaGapMs = 15;
    const s = await open({ sampleRateHz: 8000 });
    let frames = 0;
    let itemId = "";
    s.events.on("agent_audio", (e) => {
      frames++;
      itemId = e.itemId;
    });
    const playedMs = 340; // what our playout says left on the wire
    let interruptedAt = -1;
    s.events.on("caller_speech_started", () => {
      if (frames === 0) return; // the caller's first turn
      s.interrupt(playedMs);
      interruptedAt = frames;
    });
    const errors: RingagentError[] = [];
    s.events.on("error", (e) => errors.push(e));
    for (const f of caller(300, 8000)) s.writeCallerAudio(f);
    await until(() => frames >= 40);
    fake.bargeIn();
    await until(() => fake.received.some((e) => e.type === "conversation.item.truncate"));
    const truncate = fake.received.findLast((e) => e.type === "conversation.item.truncate");
    assert.deepEqual(truncate, {
      type: "conversation.item.truncate",
      item_id: itemId,
      content_index: 0,
      audio_end_ms: playedMs,
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(frames, interruptedAt, "no audio of the cut item after the interruption");
    assert.deepEqual(errors, [], "the server accepted the truncation");
    fake.deltaGapMs = 5;
  });

  test("our own barge-in (before the server's) cancels the response and truncates, clamped to what was received", async () => {
    fake.replies.push({ kind: "audio", text: "Another long answer.", audioMs: 3000 });
    fake.deltaGapMs = 15;
    const s = await open();
    let frames = 0;
    s.events.on("agent_audio", () => {
      frames++;
    });
    const errors: RingagentError[] = [];
    s.events.on("error", (e) => errors.push(e));
    for (const f of caller(300, 16_000)) s.writeCallerAudio(f);
    await until(() => frames >= 10);
    const truncates = (): number =>
      fake.receivedTypes.filter((t) => t === "conversation.item.truncate").length;
    const before = truncates();
    s.interrupt(60_000);
    await until(() => truncates() === before + 1);
    const i = fake.receivedTypes.lastIndexOf("response.cancel");
    const t = fake.receivedTypes.lastIndexOf("conversation.item.truncate");
    assert.ok(i >= 0 && i < t, "response.cancel, then the truncation");
    const end = Number(fake.received[t]?.audio_end_ms);
    assert.ok(end >= 200 && end < 3000, `clamped to the audio received (${end})`);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(errors, []);
    fake.deltaGapMs = 5;
  });

  test("tool calls: the call comes out parsed, the result goes back and the model answers", async () => {
    fake.replies.push(
      { kind: "function_call", name: "transfer", arguments: '{"to":"sales"}' },
      { kind: "audio", text: "Transferring.", audioMs: 200 },
    );
    const s = await open();
    const calls: unknown[] = [];
    s.events.on("tool_call", (c) => {
      calls.push(c);
      s.sendToolResult(c.callId, '{"ok":true}');
    });
    let agentSaid = "";
    s.events.on("agent_transcript", (e) => {
      agentSaid += e.delta;
    });
    for (const f of caller(300, 16_000)) s.writeCallerAudio(f);
    await until(() => agentSaid === "Transferring.");
    assert.equal(calls.length, 1);
    assert.deepEqual((calls[0] as { name: string; arguments: unknown }).arguments, { to: "sales" });
    const output = fake.received.find((e) => e.type === "conversation.item.create") as {
      item: Record<string, unknown>;
    };
    assert.equal(output.item.type, "function_call_output");
    assert.equal(output.item.output, '{"ok":true}');
  });

  test("error events are reported and the session goes on", async () => {
    const s = await open();
    const errors: RingagentError[] = [];
    s.events.on("error", (e) => errors.push(e));
    fake.sendError("rate_limit_exceeded");
    await until(() => errors.length === 1);
    assert.equal(errors[0]?.code, "realtime_error");
  });

  test("a refused handshake is a typed error from the OpenAI error body", async () => {
    await assert.rejects(open({ apiKey: "wrong" }), (e: unknown) => {
      assert.ok(e instanceof ProviderHttpError);
      assert.equal(e.code, "provider_auth_failed");
      assert.equal(e.body?.code, "invalid_api_key");
      assert.equal(e.retryable, false);
      return true;
    });
    fake.faults.push({
      kind: "status",
      status: 429,
      body: { error: { message: "slow down", type: "requests", code: "rate_limit_exceeded", param: null } },
    });
    await assert.rejects(
      open(),
      (e: unknown) => e instanceof ProviderHttpError && e.retryable && e.code === "provider_rate_limited",
    );
  });

  test("slow handshake: a retryable timeout", async () => {
    fake.faults.push({ kind: "slow_first_byte", delayMs: 1000 });
    await assert.rejects(
      open({ connectTimeoutMs: 150 }),
      (e: RingagentError) => e.code === "provider_timeout" && e.retryable,
    );
  });

  test("connection dropped mid-response: a retryable 'closed', no hang", async () => {
    fake.replies.push({ kind: "audio", text: "cut", audioMs: 2000 });
    fake.faults.push({ kind: "drop_mid_stream", afterChunks: 3 });
    const s = await open();
    let closed: RingagentError | undefined;
    s.events.on("closed", (e) => {
      closed = e;
    });
    for (const f of caller(300, 16_000)) s.writeCallerAudio(f);
    await until(() => closed !== undefined);
    assert.equal(closed?.code, "realtime_connection_lost");
    assert.equal(closed?.retryable, true);
  });
});
