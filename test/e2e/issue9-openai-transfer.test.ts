/**
 * Issue 9 acceptance over real SIP: the service (startRingagent) with a `sip-account` line registered
 * at Kamailio (UDP, plain RTP) and a conversation agent whose LLM is `openai`, pointed by baseUrl at
 * the OpenAI-compatible fake (a real HTTP socket, SSE streaming). STT/TTS are the offline engines
 * (pocketsphinx, flite). The fake answers the caller's first turn with a `transfer` tool call to
 * "operator", which transferTargets maps to a second baresip registered at Kamailio: baresip A calls
 * the agent through Kamailio, speaks, and ends up talking to baresip B (REFER accepted, NOTIFY 200,
 * outcome transferred). Also: no OPENAI_API_KEY is one clear start-up error naming the variable, and
 * the API key never appears in the service's log (captured at debug level).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { configSchema, type RingagentConfig } from "../../src/config/index.js";
import { providerFactory, type ServiceHandle, startRingagent } from "../../src/main.js";
import { FakeOpenAiServer, MissingCredentialError } from "../../src/pipeline/index.js";
import { createLogger } from "../../src/shared/index.js";
import {
  type BaresipInstance,
  type KamailioInstance,
  requireTools,
  silenceWav,
  TestBed,
} from "../bed/index.js";
import { kamailioAccount } from "../telephony/peer-helpers.js";
import { callerWav, waitFor } from "./e2e-helpers.js";

const apiKey = "sk-test-issue9-DO-NOT-LOG-4f1c2a";

function serviceConfig(kamailio: KamailioInstance, dir: string, baseUrl: string): RingagentConfig {
  const domain = `127.0.0.1:${kamailio.sipPort}`;
  const rtpBase = 36_000 + Math.floor(Math.random() * 40) * 500;
  return configSchema.parse({
    instance: "e2e-issue9",
    lines: [
      {
        name: "pbx",
        kind: "sip-account",
        registrar: domain,
        username: "agent",
        password: kamailio.users.agent ?? "agentpw",
        transport: "udp",
        listen: "udp:127.0.0.1:0",
        srtp: "off",
        agent: "reception",
      },
    ],
    agents: {
      reception: {
        kind: "conversation",
        greeting: "Thanks for calling. How can I help?",
        // apiKeyEnv: the key is required even with a baseUrl (a hosted OpenAI-compatible API).
        llm: { provider: "openai", baseUrl, model: "gpt-test", apiKeyEnv: "OPENAI_API_KEY" },
        tools: ["transfer", "end_call"],
        transferTargets: { operator: `sip:bob@${domain}` },
      },
    },
    media: { rtpPortMin: rtpBase, rtpPortMax: rtpBase + 498, codecs: ["PCMU", "PCMA"] },
    http: { enabled: false },
    store: { kind: "sqlite", path: join(dir, "calls.db") },
    recordings: { enabled: false, dir: join(dir, "recordings") },
    log: { level: "silent" },
  });
}

describe("issue 9: OpenAI-compatible LLM drives a transfer over real SIP (Kamailio)", {
  timeout: 240_000,
}, () => {
  requireTools(["kamailio", "baresip", "flite", "pocketsphinx_continuous", "sox", "soxi"]);
  let bed: TestBed;
  let kamailio: KamailioInstance;
  let openai: FakeOpenAiServer;
  let service: ServiceHandle | undefined;
  let work: string;
  before(async () => {
    bed = new TestBed("ringagent-e2e9-");
    kamailio = await bed.kamailio();
    openai = await new FakeOpenAiServer().start();
    work = await bed.path("work");
  });
  after(async () => {
    await service?.stop();
    await openai?.stop();
    await bed?.close();
  });

  test("no OPENAI_API_KEY: one clear start-up error naming the variable", async () => {
    const config = serviceConfig(kamailio, work, openai.baseUrl);
    await assert.rejects(
      startRingagent(config, {
        logger: createLogger({ level: "silent" }),
        providers: providerFactory({ env: {} }),
      }).then(async (started) => {
        await started.stop(); // it must not start; stop it so the test can end
        return started;
      }),
      (error: unknown) =>
        error instanceof MissingCredentialError &&
        error.envVar === "OPENAI_API_KEY" &&
        /set the environment variable OPENAI_API_KEY/.test(error.message),
    );
    // The real CLI: `ringagent start` prints that one line and exits 1, no stack trace.
    const file = join(work, "openai.yaml");
    await writeFile(
      file,
      [
        "lines: [{ name: dev, kind: local, listen: ['udp:127.0.0.1:0'], agent: reception }]",
        "agents:",
        `  reception: { llm: { provider: openai, apiKeyEnv: OPENAI_API_KEY, baseUrl: "${openai.baseUrl}" } }`,
        `store: { kind: sqlite, path: "${join(work, "cli.db")}" }`,
        "http: { enabled: false }",
        "",
      ].join("\n"),
    );
    const { OPENAI_API_KEY: _omit, ...env } = process.env;
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "-e",
        `import("./src/main.ts").then(async (m) => { process.exitCode = await m.main(["start", "-c", ${JSON.stringify(file)}]); })`,
      ],
      {
        cwd: join(import.meta.dirname, "..", ".."),
        env: { ...env, RINGAGENT_LOG_LEVEL: "error" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    assert.equal(code, 1, stderr);
    const lines = stderr.split("\n").filter((l) => l.startsWith("ringagent:"));
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0] ?? "", /needs a credential: set the environment variable OPENAI_API_KEY/);
    assert.doesNotMatch(stderr, /\.ts:\d+:\d+\)/, "no stack trace");
  });

  test("baresip A -> Kamailio -> agent; the fake OpenAI model calls transfer; A ends up with baresip B", async () => {
    openai.chatReply = (_body, index) =>
      index === 0
        ? {
            text: "Let me transfer you to the operator.",
            toolCalls: [
              { id: "call_transfer_1", name: "transfer", arguments: JSON.stringify({ to: "operator" }) },
            ],
          }
        : { text: "" };
    let logText = "";
    const logger = createLogger({
      level: "debug",
      destination: {
        write: (line: string) => {
          logText += line;
        },
      },
    });
    const config = serviceConfig(kamailio, work, openai.baseUrl);
    service = await startRingagent(config, {
      logger,
      drainTimeoutMs: 2000,
      providers: providerFactory({ env: { ...process.env, OPENAI_API_KEY: apiKey } }),
    });
    const running = service;
    await waitFor(
      "the agent line to register at Kamailio",
      async () => running.lines[0]?.ua?.registrationState === "registered",
      15_000,
    );

    const bob: BaresipInstance = await bed.baresip({
      name: "bob",
      account: kamailioAccount(kamailio, "bob", "udp"),
      sourceWav: await silenceWav(join(work, "bob-silence.wav"), 30),
      audioCodecs: ["PCMU"],
      wideband: false,
    });
    const script = await callerWav(work, "alice", [
      { silenceS: 4.5 },
      { say: "please transfer me to the operator" },
      { silenceS: 20 },
    ]);
    const alice: BaresipInstance = await bed.baresip({
      name: "alice",
      account: kamailioAccount(kamailio, "alice", "udp"),
      sourceWav: script.path,
      audioCodecs: ["PCMU"],
      wideband: false,
    });
    await Promise.all([alice.waitRegistered(20_000), bob.waitRegistered(20_000)]);

    await alice.ctrl.dial(`sip:agent@127.0.0.1:${kamailio.sipPort}`);
    await alice.ctrl.waitForEvent("CALL_ESTABLISHED", { timeoutMs: 15_000 });
    // The REFER: alice calls bob through Kamailio and bob answers.
    await bob.ctrl.waitForEvent("CALL_ESTABLISHED", { timeoutMs: 45_000 });

    const callId = (await running.store.listCalls()).calls[0]?.id;
    assert.ok(callId);
    await waitFor(
      "the agent's call to end as transferred",
      async () => (await running.store.getCall(callId))?.call.status === "ended",
      15_000,
    );
    await running.journal.flush();
    const detail = await running.store.getCall(callId);
    assert.ok(detail);
    assert.equal(detail.call.outcome, "transferred");
    assert.equal(detail.call.endReason, "transferred");
    assert.ok(
      detail.events.some((e) => e.type === "tool"),
      "the tool call is journaled",
    );
    assert.ok(
      detail.turns.some((t) => t.agentText.includes("transfer you to the operator")),
      `the model's words were spoken: ${JSON.stringify(detail.turns.map((t) => t.agentText))}`,
    );

    // The model was really asked over HTTP, with the tools and the key as a bearer token.
    const first = openai.chatRequests[0];
    assert.ok(first, "the fake OpenAI server got a chat request");
    assert.equal(first.model, "gpt-test");
    assert.ok(
      JSON.stringify(first.tools ?? []).includes('"transfer"'),
      "the transfer tool was offered to the model",
    );
    assert.equal(openai.authorizations[0], `Bearer ${apiKey}`);

    await alice.ctrl.hangup().catch(() => undefined);
    await bob.ctrl.hangup().catch(() => undefined);
    await running.stop();
    service = undefined;
    assert.ok(logText.length > 0, "the service logged");
    assert.ok(logText.includes("conversation ended"), "debug log captured");
    assert.ok(!logText.includes(apiKey), "the API key is not in the log");
    assert.ok(!logText.includes(apiKey.slice(3, 20)), "no fragment of the API key in the log");
  });
});
