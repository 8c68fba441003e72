/**
 * Issue 7 end to end: a real call leaves a call row, turns with latency figures and a stereo
 * recording (caller left, agent right) whose channels transcribe to each side's words; /metrics
 * scraped during the call shows the named series; the API needs the token and streams the
 * recording; a process killed (SIGKILL) mid-call leaves the call marked interrupted at the next start
 * and a playable partial recording.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { stringify } from "yaml";
import { loadConfig } from "../../src/config/index.js";
import { type ServiceHandle, startRingagent } from "../../src/main.js";
import { silentLogger } from "../../src/shared/index.js";
import { parseWav, readWavFile, SqliteCallStore } from "../../src/store/index.js";
import { allocPort, requireTools, TestBed, wordOverlap } from "../bed/index.js";
import { callerWav, startE2eService, transcribeSpan, voicedSpans, waitFor } from "./e2e-helpers.js";

const root = join(import.meta.dirname, "..", "..");
const token = "e2e-token-0123456789";
const hoursAnswer = "We're open Monday to Friday, from nine in the morning to five in the evening.";

function metricValue(text: string, name: string, labels = ""): number | undefined {
  for (const line of text.split("\n")) {
    if (line.startsWith(`${name}${labels}`) || (labels === "" && line.startsWith(`${name} `))) {
      const value = Number(line.slice(line.lastIndexOf(" ") + 1));
      if (Number.isFinite(value)) return value;
    }
  }
  return undefined;
}

describe("issue 7: calls, turns, recordings, metrics and API from a real call", { timeout: 240_000 }, () => {
  requireTools(["baresip", "flite", "pocketsphinx_continuous", "sox", "soxi"]);
  let bed: TestBed;
  let service: ServiceHandle | undefined;
  before(() => {
    bed = new TestBed("ringagent-e2e7-");
  });
  after(async () => {
    await service?.stop();
    await bed.close();
  });

  test("call row, turns with latency, stereo recording, live metrics, API with token", async () => {
    const work = await bed.path("work");
    const started = await startE2eService({ dir: work, token, agent: { tools: ["end_call"] } });
    service = started.service;
    const url = service.httpUrl;
    assert.ok(url);
    const question = "what are your hours";
    const script = await callerWav(work, "dave", [{ silenceS: 4 }, { say: question }, { silenceS: 9 }]);
    const dave = await bed.baresip({
      name: "dave",
      account: { kind: "local", user: "dave" },
      sourceWav: script.path,
      audioCodecs: ["PCMU"],
      wideband: false,
    });
    await dave.ctrl.dial(started.agentUri);
    await dave.ctrl.waitForEvent("CALL_ESTABLISHED", { timeoutMs: 10_000 });
    const auth = { authorization: `Bearer ${token}` };

    // Mid-call: the call is live, and once the first turn is answered /metrics shows it.
    const callId = (await service.store.listCalls()).calls[0]?.id;
    assert.ok(callId, "the call row exists while ringing/answered");
    await waitFor(
      "the first turn's wire-to-wire figure",
      async () => {
        const turns = (await service?.store.getCall(callId))?.turns ?? [];
        return turns.some((t) => t.latency.wireToWireMs !== null);
      },
      20_000,
    );
    const metrics = await (await fetch(`${url}/metrics`, { headers: auth })).text();
    console.log(
      metrics
        .split("\n")
        .filter((m) => /^ringagent_(calls|turn|provider|barge)/.test(m) && !m.includes("_bucket"))
        .join("\n"),
    );
    assert.equal(metricValue(metrics, "ringagent_calls_active", '{line="dev"}'), 1, "one call active");
    const wireCount = metricValue(metrics, "ringagent_turn_wire_to_wire_ms_count", '{line="dev"}');
    const wireSum = metricValue(metrics, "ringagent_turn_wire_to_wire_ms_sum", '{line="dev"}');
    assert.equal(wireCount, 1);
    assert.ok(wireSum !== undefined && wireSum > 300 && wireSum < 5000, `wire-to-wire sum ${wireSum} ms`);
    assert.match(metrics, /ringagent_turn_stage_ms_count\{[^}]*stage="endpointing"/);
    assert.match(metrics, /ringagent_provider_latency_ms_count\{provider="flite",kind="tts"\} 1/);
    console.log(`metrics mid-call: active=1 wire-to-wire=${wireSum} ms`);

    await new Promise((resolve) => setTimeout(resolve, 3000));
    await dave.ctrl.hangup();
    await waitFor(
      "the call to end",
      async () => (await service?.store.getCall(callId))?.call.status === "ended",
      10_000,
    );
    await service.journal.flush();
    await waitFor(
      "the recording to be closed",
      async () => (await service?.store.getCall(callId))?.call.recordingDurationMs != null,
      10_000,
    );

    const detail = await service.store.getCall(callId);
    assert.ok(detail);
    assert.equal(detail.call.outcome, "completed");
    assert.equal(detail.call.endReason, "caller_hung_up");
    assert.ok(detail.call.answeredAtMs !== null && detail.call.endedAtMs !== null);
    const turn = detail.turns[0];
    assert.ok(turn, "a turn was stored");
    console.log(`turn: ${JSON.stringify(turn)}`);
    assert.ok(wordOverlap(question, turn.callerText) >= 0.5, `caller text "${turn.callerText}"`);
    assert.equal(turn.agentText, hoursAnswer);
    const l = turn.latency;
    for (const [name, value] of Object.entries(l))
      assert.ok(value !== null && value >= 0, `${name} measured`);
    assert.ok((l.endpointingMs ?? 0) >= 400, "endpointing includes the silence window");
    assert.ok((l.wireToWireMs ?? 0) >= (l.endpointingMs ?? 0), "wire-to-wire covers endpointing");

    // Stereo recording: left = caller, right = agent.
    const path = detail.call.recordingPath;
    assert.ok(path);
    const wav = await readWavFile(path);
    assert.equal(wav.channels, 2);
    assert.ok(Math.abs(wav.durationMs - (detail.call.recordingDurationMs ?? 0)) < 100);
    const callerSpans = voicedSpans(wav, 0, { gapMs: 400 });
    const agentSpans = voicedSpans(wav, 1, { gapMs: 400 });
    const said = callerSpans[0];
    assert.ok(said, "the caller's speech is on the left channel");
    const callerText = await transcribeSpan(wav, 0, said.startS - 0.2, said.endS + 0.3, work);
    const answer = agentSpans.find((s) => s.startS > said.endS);
    assert.ok(answer, "the agent's answer is on the right channel");
    const agentText = await transcribeSpan(wav, 1, answer.startS - 0.2, answer.endS + 0.3, work);
    console.log(`recording: left "${callerText}" right "${agentText}"`);
    assert.ok(wordOverlap(question, callerText) >= 0.5, `left channel heard as "${callerText}"`);
    assert.ok(wordOverlap(hoursAnswer, agentText) >= 0.5, `right channel heard as "${agentText}"`);
    const leftDuringAnswer = voicedSpans(wav, 0).filter(
      (s) => s.startS > answer.startS && s.endS < answer.endS,
    );
    assert.equal(leftDuringAnswer.length, 0, "the agent's voice does not leak into the caller channel");

    // API: 401 without the token; with it the call and its recording (streamed, ranged).
    assert.equal((await fetch(`${url}/api/v1/calls/${callId}`)).status, 401);
    const api = await fetch(`${url}/api/v1/calls/${callId}`, { headers: auth });
    assert.equal(api.status, 200);
    const body = (await api.json()) as { call: { id: string }; turns: unknown[] };
    assert.equal(body.call.id, callId);
    assert.equal(body.turns.length, detail.turns.length);
    assert.equal((await fetch(`${url}/api/v1/calls/${callId}/recording`)).status, 401);
    const rec = await fetch(`${url}/api/v1/calls/${callId}/recording`, { headers: auth });
    assert.equal(rec.status, 200);
    const bytes = new Uint8Array(await rec.arrayBuffer());
    const served = parseWav(Buffer.from(bytes));
    assert.equal(served.channels, 2);
    assert.equal(served.frames, wav.frames);
    const ranged = await fetch(`${url}/api/v1/calls/${callId}/recording`, {
      headers: { ...auth, range: "bytes=0-43" },
    });
    assert.equal(ranged.status, 206);
    assert.equal((await ranged.arrayBuffer()).byteLength, 44);
  });

  test("SIGKILL mid-call: the next start marks the call interrupted; the partial recording plays", async () => {
    const work = await bed.path("work-kill");
    const sipPort = await allocPort(["udp", "tcp"]);
    const configText = stringify({
      instance: "e2e-kill",
      lines: [
        { name: "dev", kind: "local", listen: [`udp:127.0.0.1:${sipPort}`], agent: "reception", srtp: "off" },
      ],
      agents: { reception: { kind: "conversation", tools: ["end_call"] } },
      media: { rtpPortMin: 36_000, rtpPortMax: 36_498, codecs: ["PCMU"] },
      http: { listen: "127.0.0.1:0", token: "${E2E_API_TOKEN}" },
      store: { kind: "sqlite", path: join(work, "calls.db") },
      recordings: { enabled: true, dir: join(work, "recordings") },
      log: { level: "info" },
    });
    const configPath = join(work, "ringagent.yaml");
    await writeFile(configPath, configText);
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "-e",
        `import("./src/main.ts").then(async (m) => { process.exitCode = await m.main(["start", "--config", ${JSON.stringify(configPath)}]); })`,
      ],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, E2E_API_TOKEN: token } },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (_code, signal) => resolve(signal)),
    );
    try {
      await waitFor("ringagent ready", () => out.includes('"msg":"ringagent ready"'), 30_000).catch(
        (error) => {
          throw new Error(`${String(error)}; output: ${out.slice(0, 2000)}`);
        },
      );
      const script = await callerWav(work, "erin", [
        { silenceS: 3 },
        { say: "please call me back tomorrow morning" },
        { silenceS: 20 },
      ]);
      const erin = await bed.baresip({
        name: "erin",
        account: { kind: "local", user: "erin" },
        sourceWav: script.path,
        audioCodecs: ["PCMU"],
        wideband: false,
      });
      await erin.ctrl.dial(`sip:agent@127.0.0.1:${sipPort}`);
      await erin.ctrl.waitForEvent("CALL_ESTABLISHED", { timeoutMs: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 7000));
      assert.ok(child.pid);
      child.kill("SIGKILL");
      assert.equal(await exited, "SIGKILL");
      await erin.ctrl.hangup().catch(() => undefined);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }

    // Before the restart the row is still `active` (nobody could end it).
    const peek = await SqliteCallStore.open({ path: join(work, "calls.db") });
    const before = (await peek.listCalls()).calls[0];
    await peek.close();
    assert.equal(before?.status, "active");
    assert.ok(before?.recordingPath);

    const config = loadConfig({ path: configPath, env: { E2E_API_TOKEN: token } });
    await service?.stop();
    service = await startRingagent(config, { logger: silentLogger(), drainTimeoutMs: 1000 });
    const after = await service.store.getCall(before.id);
    assert.equal(after?.call.status, "interrupted");
    assert.equal(after?.call.endReason, "process_died");
    const partial = await readWavFile(before.recordingPath);
    assert.equal(partial.channels, 2);
    console.log(
      `partial recording after SIGKILL: ${partial.durationMs} ms (header says ${partial.declaredDataBytes} bytes)`,
    );
    assert.ok(partial.durationMs >= 4000, `the partial recording holds ${partial.durationMs} ms`);
    const callerSpeech = voicedSpans(partial, 0);
    const agentSpeech = voicedSpans(partial, 1);
    assert.ok(callerSpeech.length > 0 && agentSpeech.length > 0, "both sides are in the partial recording");
  });
});
