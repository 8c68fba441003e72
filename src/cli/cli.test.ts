import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { RingagentConfig } from "../config/index.js";
import { newId } from "../shared/index.js";
import { SqliteCallStore } from "../store/index.js";
import { type EmulatorRequest, runCli } from "./cli.js";
import { baseDoctorChecks } from "./commands/doctor-checks.js";
import { runSimulateCommand, type SimulateRequest, type Simulator } from "./commands/simulate-command.js";
import { runVoicesCommand, type VoiceCatalog, type VoicesRequest } from "./commands/voices-command.js";

function harness(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const started: RingagentConfig[] = [];
  const openStore = async (config: RingagentConfig) =>
    SqliteCallStore.open({ path: config.store.kind === "sqlite" ? config.store.path : ":memory:" });
  return {
    out,
    err,
    started,
    run: (argv: string[]) =>
      runCli(
        argv,
        {
          start: async (config) => {
            started.push(config);
          },
          openStore,
          doctorChecks: (config) => baseDoctorChecks(config, { openStore }),
        },
        { out: (t) => out.push(t), err: (t) => err.push(t), env, version: "9.9.9" },
      ),
  };
}

function writeConfig(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), "ringagent-cli-"));
  const file = join(dir, "ringagent.yaml");
  const text = body.replaceAll("@DIR@", dir);
  writeFileSync(file, text);
  return file;
}

describe("ringagent CLI", () => {
  test("--help and --version", async () => {
    const h = harness();
    assert.equal(await h.run(["--help"]), 0);
    assert.match(h.out.join(""), /Usage: ringagent <command>/);
    assert.equal(await h.run(["--version"]), 0);
    assert.match(h.out.join(""), /9\.9\.9/);
  });

  test("start with no config starts the local line on 127.0.0.1", async () => {
    const h = harness();
    assert.equal(await h.run(["start"]), 0);
    const config = h.started[0];
    assert.ok(config);
    const line = config.lines[0];
    assert.equal(line?.kind, "local");
    assert.ok(line?.kind === "local" && line.listen.every((l) => l.includes("127.0.0.1")));
  });

  test("an invalid config exits 2 with field-level messages and no stack trace", async () => {
    const h = harness();
    const code = await h.run(["start", "--config", "/nonexistent.yaml"]);
    assert.equal(code, 2);
    assert.match(
      h.err.join(""),
      /invalid configuration:\n {2}- \/nonexistent\.yaml: cannot read the config file/,
    );
    assert.doesNotMatch(h.err.join(""), /\bat .*\.ts:\d+/);
    assert.equal(h.started.length, 0);
  });

  test("unknown commands and options are usage errors", async () => {
    const h = harness();
    assert.equal(await h.run(["dance"]), 2);
    assert.match(h.err.join(""), /unknown command "dance"/);
    assert.equal(await h.run(["start", "--bogus"]), 2);
    assert.match(h.err.join(""), /Unknown option '--bogus'/);
    assert.equal(await h.run([]), 2);
  });

  test("calls lists stored calls and call show prints turns with latency", async () => {
    const file = writeConfig(
      "lines: [{ name: dev, kind: local, agent: echo, listen: ['udp:127.0.0.1:0'] }]\nagents: { echo: { kind: echo } }\nstore: { kind: sqlite, path: '@DIR@/calls.db' }\n",
    );
    const h = harness();
    assert.equal(await h.run(["calls", "--config", file]), 0);
    assert.match(h.out.join(""), /no calls yet/);

    const store = SqliteCallStore.open({ path: join(file, "..", "calls.db") });
    const id = newId();
    await store.insertCall({
      id,
      instance: "t",
      line: "dev",
      agent: "echo",
      direction: "inbound",
      from: "alice",
      to: "agent",
      startedAtMs: Date.UTC(2026, 10, 21, 12),
    });
    await store.appendTurn({
      callId: id,
      index: 0,
      startedAtMs: Date.UTC(2026, 10, 21, 12, 0, 2),
      callerText: "what are your hours",
      agentText: "we are open nine to five",
      interrupted: false,
      latency: {
        endpointingMs: 400,
        sttFinalMs: 120,
        llmFirstTokenMs: 5,
        ttsFirstAudioMs: 60,
        wireToWireMs: 610,
      },
    });
    await store.close();

    h.out.length = 0;
    assert.equal(await h.run(["calls", "--config", file]), 0);
    assert.match(h.out.join(""), new RegExp(`2026-11-21 12:00:00 +dev +inbound +alice .*${id}`));
    h.out.length = 0;
    assert.equal(await h.run(["call", "show", id, "--config", file]), 0);
    const shown = h.out.join("");
    assert.match(shown, /caller: what are your hours/);
    assert.match(
      shown,
      /latency: endpointingMs 400 ms, sttFinalMs 120 ms, llmFirstTokenMs 5 ms, ttsFirstAudioMs 60 ms, wireToWireMs 610 ms/,
    );
    assert.equal(await h.run(["call", "show", newId(), "--config", file]), 1);
    assert.match(h.err.join(""), /no call with id .* — fix:/);
  });

  test("doctor passes on a good setup and names the fix for each failure", async () => {
    const good = writeConfig(
      "lines: [{ name: dev, kind: local, agent: echo, listen: ['udp:127.0.0.1:0', 'tcp:127.0.0.1:0'] }]\nagents: { echo: { kind: echo } }\nstore: { kind: sqlite, path: '@DIR@/calls.db' }\nhttp: { listen: '127.0.0.1:0' }\n",
    );
    const h = harness();
    assert.equal(await h.run(["doctor", "--config", good]), 0, h.out.join(""));
    assert.match(h.out.join(""), /PASS {2}store \(sqlite\)/);
    // npm ci builds native/media; without it this line is a WARN naming the build command.
    assert.match(h.out.join(""), /PASS {2}media engine: native/);
    assert.match(h.out.join(""), /doctor: all checks passed/);

    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const bad = writeConfig(
        `lines: [{ name: dev, kind: local, agent: bot, listen: ['tcp:127.0.0.1:${port}'] }]\nagents: { bot: { kind: conversation } }\nstore: { kind: sqlite, path: '@DIR@/ringagent.yaml/calls.db' }\nhttp: { listen: '127.0.0.1:0' }\n`,
      );
      const b = harness();
      assert.equal(await b.run(["doctor", "--config", bad]), 1);
      const text = b.out.join("");
      assert.match(
        text,
        /FAIL {2}store \(sqlite\): .*\n {6}fix: make the folder of .*ringagent\.yaml\/calls\.db writable/,
      );
      assert.match(
        text,
        new RegExp(
          `FAIL {2}line dev: listen tcp:127\\.0\\.0\\.1:${port}: cannot bind .*EADDRINUSE.*\\n {6}fix: stop the program using`,
        ),
      );
      assert.match(text, /doctor: 2 check\(s\) failed/);
    } finally {
      busy.close();
    }

    const broken = harness();
    assert.equal(await broken.run(["doctor", "--config", "/nonexistent.yaml"]), 1);
    assert.match(
      broken.out.join(""),
      /FAIL {2}config \(\/nonexistent\.yaml\): invalid\n {6}\/nonexistent\.yaml: cannot read/,
    );
  });

  test("emulator: needs no config, passes its options to the handler; bad options are usage errors", async () => {
    const requests: EmulatorRequest[] = [];
    const out: string[] = [];
    const err: string[] = [];
    const handlers = {
      start: async () => undefined,
      openStore: async () => SqliteCallStore.open({ path: ":memory:" }),
      doctorChecks: () => [],
      emulator: async (request: EmulatorRequest, io: { out: (t: string) => void }) => {
        requests.push(request);
        io.out("RingCentral emulator on http://127.0.0.1:1\n");
        return 0;
      },
    };
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env: {}, version: "1" };
    const argv = ["emulator", "--config", "/nonexistent.yaml", "--port", "0", "--sip-tls", "127.0.0.1:5061"];
    assert.equal(
      await runCli([...argv, "--sip-user", "agent", "--sip-password", "agentpw"], handlers, io),
      0,
    );
    assert.deepEqual(requests, [
      { port: 0, sipTls: "127.0.0.1:5061", sipUser: "agent", sipPassword: "agentpw" },
    ]);
    assert.match(out.join(""), /RingCentral emulator on/);
    assert.equal(await runCli(["emulator", "--port", "70000"], handlers, io), 2);
    assert.equal(await runCli(["emulator", "--sip-tls", "no-port"], handlers, io), 2);
    assert.match(err.join(""), /--port must be a port number[\s\S]*--sip-tls must be HOST:PORT/);
    assert.equal(requests.length, 1, "bad options never start the emulator");
    const { emulator: _unused, ...withoutEmulator } = handlers;
    assert.equal(await runCli(["emulator"], withoutEmulator, io), 1);
    const help: string[] = [];
    await runCli(["--help"], handlers, { ...io, out: (t) => help.push(t) });
    assert.match(help.join(""), /emulator \[--port N\]/);
  });

  test("voices: the hook gets --agent/--out; the command lists voices, marks the used one, writes samples", async () => {
    const file = writeConfig(`
lines: [{ name: dev, kind: local, agent: reception }]
agents:
  echo-test: { kind: echo }
  reception: { greeting: "Hello there.", tts: { provider: flite, voice: kal16 } }
  s2s: { llm: { provider: openai-realtime, voice: cedar } }
`);
    const requests: VoicesRequest[] = [];
    const spoken: Array<{ agent: string; text: string; path: string }> = [];
    const catalog: VoiceCatalog = {
      list: async (agent) =>
        agent.tts.provider === "flite"
          ? [
              { provider: "flite", id: "slt", name: "slt", languages: ["en"], defaultFor: ["en"] },
              { provider: "flite", id: "kal16", name: "kal16", languages: ["en"], defaultFor: [] },
            ]
          : [],
      speak: async (agent, text, path) => {
        spoken.push({ agent: agent.greeting, text, path });
        return { durationMs: 1500, firstAudioMs: 40 };
      },
    };
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env: {}, version: "1" };
    const handlers = {
      start: async () => undefined,
      openStore: async () => SqliteCallStore.open({ path: ":memory:" }),
      doctorChecks: () => [],
      voices: async (config: RingagentConfig, request: VoicesRequest, cliIo: typeof io) => {
        requests.push(request);
        return runVoicesCommand(config, request, catalog, cliIo);
      },
    };
    const outDir = join(mkdtempSync(join(tmpdir(), "ringagent-voices-")), "samples");
    assert.equal(await runCli(["voices", "--config", file, "--out", outDir], handlers, io), 0);
    assert.deepEqual(requests, [{ agent: undefined, out: outDir }]);
    const text = out.join("");
    assert.match(
      text,
      /agent reception: tts flite, language en-US\n {4}slt {2}\(languages en; default for en\)\n {2}\* kal16/,
    );
    assert.match(text, /agent s2s: speech-to-speech \(openai-realtime\), voice cedar; no TTS sample/);
    assert.doesNotMatch(text, /echo-test/);
    assert.deepEqual(spoken, [
      { agent: "Hello there.", text: "Hello there.", path: join(outDir, "reception.wav") },
    ]);
    assert.match(text, /sample: .*reception\.wav \(1\.5 s, first audio after 40 ms\)/);
    // --agent picks one; an unknown or non-conversation agent is a usage error.
    assert.equal(await runCli(["voices", "--config", file, "--agent", "reception"], handlers, io), 0);
    assert.equal(spoken.length, 1, "no --out: no sample");
    assert.equal(await runCli(["voices", "--config", file, "--agent", "echo-test"], handlers, io), 2);
    assert.match(err.join(""), /no conversation agent named echo-test/);
    // A failing listing or sample is reported and exits 1.
    const failing: VoiceCatalog = {
      list: async () => {
        throw new Error("voices API down");
      },
      speak: catalog.speak,
    };
    const failOut: string[] = [];
    const code = await runVoicesCommand(
      (await import("../config/index.js")).loadConfig({ path: file, env: {} }),
      { agent: "reception", out: undefined },
      failing,
      { out: (t) => failOut.push(t), err: () => undefined },
    );
    assert.equal(code, 1);
    assert.match(failOut.join(""), /could not list the voices: .*voices API down/);
    const { voices: _unused, ...withoutVoices } = handlers;
    assert.equal(await runCli(["voices", "--config", file], withoutVoices, io), 1);
    const help: string[] = [];
    await runCli(["--help"], handlers, { ...io, out: (t) => help.push(t) });
    assert.match(help.join(""), /voices \[--agent NAME\] \[--out DIR\]/);
  });

  test("voices for real: the default flite agent's sample is a valid WAV", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "ringagent-voices-real-"));
    const root = join(import.meta.dirname, "..", "..");
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "-e",
        `import("./src/main.ts").then(async (m) => { process.exitCode = await m.main(${JSON.stringify(["voices", "--out", dir])}); })`,
      ],
      { cwd: root, env: { ...process.env }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", () => undefined);
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    assert.equal(code, 0, stdout);
    assert.match(stdout, /\* slt/);
    const wav = readFileSync(join(dir, "receptionist.wav"));
    assert.equal(wav.toString("ascii", 0, 4), "RIFF");
    assert.equal(wav.toString("ascii", 8, 12), "WAVE");
    assert.equal(wav.readUInt16LE(22), 1, "mono");
    assert.equal(wav.readUInt32LE(24), 16_000, "16 kHz");
    assert.equal(wav.readUInt16LE(34), 16, "PCM16");
    const dataBytes = wav.readUInt32LE(40);
    assert.equal(dataBytes, wav.length - 44);
    assert.ok(dataBytes / 2 / 16_000 > 1, `the greeting lasts ${dataBytes / 32_000} s`);
    let sum = 0;
    for (let i = 44; i + 1 < wav.length; i += 2) sum += wav.readInt16LE(i) ** 2;
    assert.ok(Math.sqrt(sum / (dataBytes / 2)) > 300, "the sample is speech, not silence");
  });
  test("simulate: the hook gets --agent/--in/--text.../--out/--stereo/--realtime; the command prints turns and writes the WAV", async () => {
    const file = writeConfig(`
lines: [{ name: dev, kind: local, agent: reception }]
agents:
  echo-test: { kind: echo }
  reception: { greeting: "Hello there." }
`);
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env: {}, version: "1" };
    const requests: SimulateRequest[] = [];
    const runs: Array<{ agent: string; input: unknown; pacing: string }> = [];
    const simulator: Simulator = {
      run: async (agentName, _agent, input, pacing) => {
        runs.push({ agent: agentName, input, pacing });
        const agentAudio = new Int16Array(320 * 3).fill(1000);
        return {
          greeting: ["Hello there."],
          turns: [
            {
              turnId: 1,
              callerText: "what are your hours",
              agentText: ["We're open."],
              voiceToVoiceMs: 640,
              metrics: undefined,
            },
          ],
          tools: [{ name: "end_call", arguments: {}, outcome: "the call ends after this reply" }],
          end: { reason: "tool", fallbackAction: undefined },
          sampleRateHz: 16000,
          callerAudio: new Int16Array(agentAudio.length).fill(-1000),
          agentAudio,
          durationMs: 60,
        };
      },
      readStdin: async () => "from stdin\n\n  second line \n",
    };
    const handlers = {
      start: async () => undefined,
      openStore: async () => SqliteCallStore.open({ path: ":memory:" }),
      doctorChecks: () => [],
      simulate: async (config: RingagentConfig, request: SimulateRequest, cliIo: typeof io) => {
        requests.push(request);
        return runSimulateCommand(config, request, simulator, cliIo);
      },
    };
    const wavOut = join(mkdtempSync(join(tmpdir(), "ringagent-sim-")), "agent.wav");
    const argv = ["simulate", "-c", file, "--text", "hi", "--text", "what are your hours"];
    assert.equal(await runCli([...argv, "--out", wavOut, "--stereo", "--realtime"], handlers, io), 0);
    assert.deepEqual(requests[0], {
      agent: undefined,
      in: undefined,
      out: wavOut,
      texts: ["hi", "what are your hours"],
      stereo: true,
      realtime: true,
    });
    assert.deepEqual(runs[0], {
      agent: "reception",
      input: { kind: "text", lines: ["hi", "what are your hours"] },
      pacing: "realtime",
    });
    const text = out.join("");
    assert.match(
      text,
      /agent: Hello there\.\ncaller: what are your hours\nagent: We're open\.\n {2}turn 1 latency: voice-to-voice 640 ms/,
    );
    assert.match(text, /tool end_call: the call ends after this reply\nconversation ended: tool/);
    const wav = readFileSync(wavOut);
    assert.equal(wav.readUInt16LE(22), 2, "stereo");
    assert.equal(wav.readInt16LE(44), -1000, "caller left");
    assert.equal(wav.readInt16LE(46), 1000, "agent right");
    // No --text and no --in: lines from stdin (blank ones skipped); virtual pacing by default.
    assert.equal(await runCli(["simulate", "-c", file, "--agent", "reception"], handlers, io), 0);
    assert.deepEqual(runs[1], {
      agent: "reception",
      input: { kind: "text", lines: ["from stdin", "second line"] },
      pacing: "virtual",
    });
    // Usage errors exit 2: a non-conversation agent, --in with --text.
    assert.equal(
      await runCli(["simulate", "-c", file, "--agent", "echo-test", "--text", "x"], handlers, io),
      2,
    );
    assert.match(err.join(""), /simulate needs --agent NAME of a conversation agent \(reception\)/);
    assert.equal(await runCli(["simulate", "-c", file, "--in", "a.wav", "--text", "x"], handlers, io), 2);
    // A missing caller WAV is a runtime failure (1) that names the file.
    assert.equal(
      await runCli(["simulate", "-c", file, "--in", join(tmpdir(), "no-such.wav")], handlers, io),
      1,
    );
    assert.match(err.join(""), /no-such\.wav/);
    const { simulate: _unused, ...without } = handlers;
    assert.equal(await runCli(["simulate", "-c", file, "--text", "x"], without, io), 1);
  });
});
