/**
 * `stt: { provider: sherpa-onnx, modelDir }` end to end through the CLI and the composition root:
 * `ringagent simulate` with the tiny streaming and offline CTC models the tests make (tones in,
 * words out: a 440 Hz tone reads "yes", a 3 kHz tone "no"), 8 kHz caller audio, and a missing model
 * folder stopping the run with the fix before any call.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  tinyCtcWords,
  writeTinyCtcModel,
  writeTinyStreamingCtcModel,
} from "../../src/pipeline/testing/tiny-sherpa-model.js";
import { encodeWav } from "../../src/store/index.js";

const root = join(import.meta.dirname, "..", "..");

async function ringagent(argv: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "-e",
      `import("./src/main.ts").then(async (m) => { process.exitCode = await m.main(${JSON.stringify(argv)}); })`,
    ],
    { cwd: root, env: { ...process.env, RINGAGENT_LOG_LEVEL: "warn" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  return { code, out, err };
}

/** 8 kHz: silence while the greeting plays, a low tone, a gap, a high tone, then silence. */
function tonesWav(): Buffer {
  const rateHz = 8000;
  const parts: [number, number][] = [
    [0, 4],
    [tinyCtcWords.lowToneHz, 0.4],
    [0, 0.3],
    [tinyCtcWords.highToneHz, 0.4],
    [0, 1.5],
  ];
  const samples = new Int16Array(Math.round(parts.reduce((n, [, s]) => n + s, 0) * rateHz));
  let at = 0;
  for (const [hz, seconds] of parts) {
    for (let i = 0; i < seconds * rateHz; i++) {
      samples[at++] = hz === 0 ? 0 : Math.round(0.3 * 32767 * Math.sin((2 * Math.PI * hz * i) / rateHz));
    }
  }
  return encodeWav({ channels: 1, sampleRateHz: rateHz }, samples);
}

describe("sherpa-onnx STT through `ringagent simulate`", () => {
  let dir = "";
  const config = async (name: string, modelDir: string): Promise<string> => {
    const path = join(dir, `${name}.yaml`);
    await writeFile(
      path,
      [
        "lines:",
        '  - { name: dev, kind: local, agent: desk, listen: ["udp:127.0.0.1:0"] }',
        "agents:",
        "  desk:",
        "    kind: conversation",
        `    stt: { provider: sherpa-onnx, modelDir: ${JSON.stringify(modelDir)} }`,
        "    llm: { provider: script }",
        "    tts: { provider: flite }",
        "",
      ].join("\n"),
    );
    return path;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "ringagent-sherpa-e2e-"));
    writeTinyStreamingCtcModel(join(dir, "streaming"));
    writeTinyCtcModel(join(dir, "offline"));
    await writeFile(join(dir, "tones.wav"), tonesWav());
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const kind of ["streaming", "offline"]) {
    test(`${kind} model: the caller's tones are transcribed as words`, async () => {
      const path = await config(kind, join(dir, kind));
      const r = await ringagent([
        "simulate",
        "--config",
        path,
        "--agent",
        "desk",
        "--in",
        join(dir, "tones.wav"),
      ]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /stt sherpa-onnx/);
      assert.match(r.out, /^caller: yes no$/m);
    });
  }

  test("a missing model folder stops the run with the fix, before any call", async () => {
    const path = await config("missing", join(dir, "absent"));
    const r = await ringagent(["simulate", "--config", path, "--agent", "desk", "--text", "hello"]);
    assert.notEqual(r.code, 0);
    assert.match(`${r.out}${r.err}`, /absent: not found or not a folder; point stt\.modelDir at/);
    assert.doesNotMatch(r.out, /^agent: /m);
  });
});
