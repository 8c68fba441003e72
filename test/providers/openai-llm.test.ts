import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { type RetryPolicy, retryingStream } from "../../src/pipeline/base/provider-retry.js";
import type { LlmEvent, LlmProvider } from "../../src/pipeline/llm/llm-types.js";
import { OpenAiLlmProvider } from "../../src/pipeline/llm/providers/openai/openai-llm.js";
import { ProviderHttpError } from "../../src/pipeline/provider-setup/http-error.js";
import { createHttpTool } from "../../src/pipeline/provider-setup/http-tool.js";
import { HttpToolsLlmProvider } from "../../src/pipeline/provider-setup/http-tools-llm.js";
import {
  FakeOpenAiServer,
  openAiErrorBody,
} from "../../src/pipeline/testing/fake-servers/fake-openai-server.js";
import { RingagentError, systemClock } from "../../src/shared/index.js";

const lookupTool = {
  name: "lookup",
  description: "Looks up an order",
  parameters: { type: "object", properties: { order: { type: "string" } }, required: ["order"] },
};

async function run(llm: LlmProvider, policy: Partial<RetryPolicy> = {}): Promise<LlmEvent[]> {
  const signal = AbortSignal.timeout(10_000);
  const events: LlmEvent[] = [];
  const stream = retryingStream(
    () => llm.stream({ messages: [{ role: "user", content: "Hi" }], tools: [lookupTool], signal }),
    { provider: llm.name, clock: systemClock, signal, policy: { baseDelayMs: 10, ...policy } },
  );
  for await (const e of stream) events.push(e);
  return events;
}

async function failure(p: Promise<unknown>): Promise<RingagentError> {
  try {
    await p;
  } catch (error) {
    assert.ok(error instanceof RingagentError, `expected a RingagentError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected a failure");
}

describe("OpenAI-compatible LLM against the fake server", () => {
  const fake = new FakeOpenAiServer();
  let llm: OpenAiLlmProvider;
  before(async () => {
    await fake.start();
    llm = new OpenAiLlmProvider({
      apiKey: "sk-test",
      baseUrl: fake.baseUrl,
      model: "gpt-test",
      maxTokens: 200,
      temperature: 0.3,
    });
  });
  after(() => fake.stop());

  test("streams text tokens, then assembled tool calls", async () => {
    fake.chatReply = () => ({
      text: "Let me check that.",
      toolCalls: [{ id: "call_1", name: "lookup", arguments: '{"order":"A-17"}' }],
    });
    const events = await run(llm);
    const text = events.flatMap((e) => (e.kind === "text" ? [e.text] : [])).join("");
    assert.equal(text, "Let me check that.");
    assert.ok(events.filter((e) => e.kind === "text").length >= 3, "text arrives as several tokens");
    const calls = events.flatMap((e) => (e.kind === "tool_call" ? [e.call] : []));
    assert.deepEqual(calls, [{ id: "call_1", name: "lookup", arguments: { order: "A-17" } }]);
    const body = fake.chatRequests.at(-1);
    assert.equal(body?.model, "gpt-test");
    assert.equal(body?.stream, true);
    assert.equal(body?.max_tokens, 200);
    assert.equal(body?.temperature, 0.3);
    assert.deepEqual(body?.tools, [{ type: "function", function: lookupTool }]);
    assert.equal(fake.authorizations.at(-1), "Bearer sk-test");
  });

  test("sends history with tool calls and tool results in the wire model", async () => {
    fake.chatReply = () => ({ text: "Done." });
    const signal = AbortSignal.timeout(5000);
    for await (const _ of llm.stream({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Where is A-17?" },
        {
          role: "assistant",
          content: "",
          toolCalls: [{ id: "c9", name: "lookup", arguments: { order: "A-17" } }],
        },
        { role: "tool", toolCallId: "c9", name: "lookup", content: "shipped" },
      ],
      tools: [],
      signal,
    })) {
      // drain
    }
    const body = fake.chatRequests.at(-1);
    assert.deepEqual(body?.messages, [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Where is A-17?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "c9", type: "function", function: { name: "lookup", arguments: '{"order":"A-17"}' } },
        ],
      },
      { role: "tool", tool_call_id: "c9", content: "shipped" },
    ]);
    assert.equal(body?.tools, undefined, "no tools key when there are no tools");
  });

  test("error bodies become typed errors with retryable set by status", async () => {
    fake.chatFaults.push({
      kind: "status",
      status: 400,
      body: openAiErrorBody("Invalid 'messages'", "invalid_request_error", null, "messages"),
    });
    const bad = await failure(run(llm));
    assert.ok(bad instanceof ProviderHttpError);
    assert.equal(bad.code, "provider_bad_request");
    assert.equal(bad.retryable, false);
    assert.equal(bad.body?.type, "invalid_request_error");
    assert.equal(bad.body?.param, "messages");

    fake.chatFaults.push({
      kind: "status",
      status: 401,
      body: openAiErrorBody("Incorrect API key", "invalid_request_error", "invalid_api_key"),
    });
    const auth = await failure(run(llm));
    assert.equal(auth.code, "provider_auth_failed");
    assert.equal(auth.retryable, false);

    const before = fake.chatRequests.length;
    fake.chatFaults.push(
      { kind: "status", status: 503, body: openAiErrorBody("overloaded", "server_error") },
      { kind: "status", status: 500, body: openAiErrorBody("oops", "server_error") },
    );
    const server = await failure(run(llm, { attempts: 2 }));
    assert.equal(server.code, "provider_unavailable");
    assert.equal(server.retryable, true);
    assert.equal(fake.chatRequests.length - before, 2, "retried once, then gave up");
  });

  test("429 with Retry-After is honoured, then the retry succeeds", async () => {
    fake.chatReply = () => ({ text: "Fine now." });
    const times: number[] = [];
    const original = fake.chatReply;
    fake.chatReply = (body, i) => {
      times.push(performance.now());
      return original(body, i);
    };
    fake.chatFaults.push({
      kind: "status",
      status: 429,
      body: openAiErrorBody("Rate limit reached", "requests", "rate_limit_exceeded"),
      headers: { "retry-after-ms": "300" },
    });
    const start = performance.now();
    const events = await run(llm);
    assert.equal(events.map((e) => (e.kind === "text" ? e.text : "")).join(""), "Fine now.");
    assert.ok((times[0] ?? 0) - start >= 300, "the retry waited Retry-After");
  });

  test("a Retry-After longer than the policy allows fails at once (for a fallback to take over)", async () => {
    const before = fake.chatRequests.length;
    fake.chatFaults.push({
      kind: "status",
      status: 429,
      body: openAiErrorBody("Rate limit reached", "requests", "rate_limit_exceeded"),
      headers: { "retry-after": "60" },
    });
    const error = await failure(run(llm));
    assert.equal(error.code, "provider_rate_limited");
    assert.equal(error.retryable, true);
    assert.equal(fake.chatRequests.length - before, 1);
  });

  test("slow first byte: timeout, then a retry that succeeds", async () => {
    fake.chatReply = () => ({ text: "Quick." });
    const before = fake.chatRequests.length;
    fake.chatFaults.push({ kind: "slow_first_byte", delayMs: 1500 });
    const events = await run(llm, { firstItemTimeoutMs: 300 });
    assert.equal(events.map((e) => (e.kind === "text" ? e.text : "")).join(""), "Quick.");
    assert.equal(fake.chatRequests.length - before, 2);
  });

  test("connection dropped mid-stream: a retryable error, no hang", async () => {
    fake.chatReply = () => ({ text: "one two three four five six" });
    fake.chatFaults.push({ kind: "drop_mid_stream", afterChunks: 3 });
    const error = await failure(run(llm, { attempts: 3 }));
    assert.equal(error.code, "provider_connection_failed");
    assert.equal(error.retryable, true);
  });

  test("connection dropped before the first token is retried", async () => {
    fake.chatReply = () => ({ text: "Recovered." });
    fake.chatFaults.push({ kind: "drop_mid_stream", afterChunks: 0 });
    const events = await run(llm);
    assert.equal(events.map((e) => (e.kind === "text" ? e.text : "")).join(""), "Recovered.");
  });

  test("config-defined HTTP tools run and their result goes back to the model", async () => {
    const seen: string[] = [];
    const toolServer = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString();
      });
      req.on("end", () => {
        seen.push(`${req.headers.authorization ?? ""} ${body}`);
        res.writeHead(200, { "content-type": "application/json" }).end('{"status":"shipped"}');
      });
    });
    await new Promise<void>((r) => toolServer.listen(0, "127.0.0.1", r));
    try {
      const port = (toolServer.address() as AddressInfo).port;
      const tool = createHttpTool(
        {
          ...lookupTool,
          name: "order_status",
          url: `http://127.0.0.1:${port}/orders`,
          auth: { header: "Authorization", env: "CRM_TOKEN", prefix: "Bearer " },
        },
        { CRM_TOKEN: "crm-secret" },
      );
      fake.chatReply = (_body, i) =>
        fake.chatRequests.length > 0 && i === fake.chatRequests.length - 1 && seen.length === 0
          ? { toolCalls: [{ id: "call_7", name: "order_status", arguments: '{"order":"A-17"}' }] }
          : { text: "It has shipped." };
      const events = await run(new HttpToolsLlmProvider(llm, [tool]));
      assert.deepEqual(events, [
        { kind: "text", text: "It " },
        { kind: "text", text: "has " },
        { kind: "text", text: "shipped." },
      ]);
      assert.deepEqual(seen, ['Bearer crm-secret {"order":"A-17"}']);
      const last = fake.chatRequests.at(-1);
      const messages = last?.messages as Array<Record<string, unknown>>;
      assert.deepEqual(messages.at(-1), {
        role: "tool",
        tool_call_id: "call_7",
        content: '{"status":"shipped"}',
      });
      const tools = last?.tools as Array<{ function: { name: string } }>;
      assert.deepEqual(
        tools.map((t) => t.function.name),
        ["lookup", "order_status"],
      );
    } finally {
      toolServer.closeAllConnections();
      await new Promise<void>((r) => toolServer.close(() => r()));
    }
  });
});
