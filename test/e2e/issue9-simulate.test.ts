/**
 * `ringagent simulate` end to end through the CLI and the composition root (main.ts) with the offline
 * engines: text mode against the default receptionist, WAV mode with a flite question at 44.1 kHz
 * (the agent's answer is transcribed from --out), and issue 9's Russian agent (script engine with
 * receptionist.ru.script.yaml, espeak-ng voice "ru"). pocketsphinx has only an English model, so the
 * Russian audio is checked for being speech-like (non-silent, plausible length), not for its words.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { readWavFile } from "../../src/store/index.js";
import { requireTools, resample, synthesize, transcribe, wordOverlap } from "../bed/index.js";
import { transcribeSpan, voicedSpans } from "./e2e-helpers.js";

const hoursAnswer = "We're open Monday to Friday, from nine in the morning to five in the evening.";
const ruScript = join(
  import.meta.dirname,
  "..",
  "..",
  "src/pipeline/llm/providers/script/receptionist.ru.script.yaml",
);

const root = join(import.meta.dirname, "..", "..");

/** Runs the real CLI (`ringagent ARGV`, through tsx) in a child process; `stdin` is piped in. */
async function ringagent(
  argv: string[],
  stdin = "",
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "-e",
      `import("./src/main.ts").then(async (m) => { process.exitCode = await m.main(${JSON.stringify(argv)}); })`,
    ],
    { cwd: root, env: { ...process.env, RINGAGENT_LOG_LEVEL: "warn" }, stdio: ["pipe", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  child.stdin.end(stdin);
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  return { code, out, err };
}

function rms(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return samples.length === 0 ? 0 : Math.sqrt(sum / samples.length);
}

describe("ringagent simulate (offline engines)", { timeout: 120_000 }, () => {
  // espeak-ng is checked by its provider (a clear install hint); requireTools takes [a-z_] names only.
  requireTools(["flite", "pocketsphinx_continuous", "sox", "soxi"]);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "ringagent-sim-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("text mode: 'what are your hours' gets the hours answer, exit 0", async () => {
    const out = join(dir, "text.wav");
    const r = await ringagent(["simulate", "--text", "what are your hours", "--out", out]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /caller: what are your hours\nagent: We're open Monday to Friday/);
    assert.match(r.out, /turn 1 latency: voice-to-voice \d+ ms/);
    const wav = await readWavFile(out);
    assert.equal(wav.channels, 1);
    assert.ok(wav.durationMs > 5000, `agent audio ${wav.durationMs} ms`);
    const heard = await transcribe(out, dir);
    assert.ok(wordOverlap(hoursAnswer, heard) >= 0.5, `transcript: ${heard}`);
  });

  test("WAV mode: a flite question at 44.1 kHz; the answer is transcribed from --out", async () => {
    const question = await resample(
      await synthesize("what are your hours", join(dir, "q16.wav")),
      join(dir, "q44.wav"),
      44_100,
    );
    const out = join(dir, "wav-mode.wav");
    const r = await ringagent([
      "simulate",
      "--agent",
      "receptionist",
      "--in",
      question,
      "--out",
      out,
      "--stereo",
    ]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /caller audio: .*44100 Hz/);
    assert.match(r.out, /agent: We're open Monday to Friday/);
    const wav = await readWavFile(out);
    assert.equal(wav.channels, 2);
    // Time-aligned: the answer (right) starts after the caller's question (left) ends, within 3 s.
    const questionSpans = voicedSpans(wav, 0, { gapMs: 500 });
    const answer = voicedSpans(wav, 1, { gapMs: 500 }).sort(
      (x, y) => y.endS - y.startS - (x.endS - x.startS),
    )[0];
    const asked = questionSpans.at(-1);
    assert.ok(answer !== undefined && asked !== undefined, "no caller or agent speech in --out");
    assert.ok(
      answer.startS > asked.endS && answer.startS - asked.endS < 3,
      `${JSON.stringify({ asked, answer })}`,
    );
    const heard = await transcribeSpan(wav, 1, answer.startS - 0.3, answer.endS + 0.3, dir);
    assert.ok(wordOverlap(hoursAnswer, heard) >= 0.5, `transcript: ${heard}`);
  });

  test("issue 9: a Russian agent (script + espeak-ng ru) answers in Russian", async () => {
    const configPath = join(dir, "ru.yaml");
    await writeFile(
      configPath,
      [
        "agents:",
        "  reception-ru:",
        "    kind: conversation",
        "    language: ru-RU",
        '    greeting: "Здравствуйте! Чем могу помочь?"',
        `    llm: { provider: script, script: "${ruScript}" }`,
        "    tts: { provider: espeak-ng, voice: ru }",
        "    tools: [transfer, end_call]",
        '    transferTargets: { operator: "sip:operator@127.0.0.1" }',
        "lines:",
        "  - { name: dev, kind: local, agent: reception-ru }",
        "",
      ].join("\n"),
    );
    const out = join(dir, "ru.wav");
    const r = await ringagent([
      "-c",
      configPath,
      "simulate",
      "--agent",
      "reception-ru",
      "--text",
      "Какие у вас часы работы?",
      "--text",
      "где вы находитесь",
      "--text",
      "соедините с оператором",
      "--out",
      out,
    ]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /agent reception-ru: ru-RU, .*tts espeak-ng/);
    assert.match(r.out, /caller: Какие у вас часы работы\?\nagent: Мы работаем с понедельника по пятницу/);
    assert.match(r.out, /caller: где вы находитесь\nagent: Мы находимся по адресу/);
    assert.match(r.out, /agent: Соединяю вас с оператором\./);
    assert.match(r.out, /tool transfer: transferred to sip:operator@127\.0\.0\.1 \(simulated\)/);
    assert.match(r.out, /conversation ended: tool/);
    const wav = await readWavFile(out);
    // Greeting + three answers in espeak-ng Russian: several seconds of clearly non-silent audio.
    assert.ok(wav.durationMs > 8000 && wav.durationMs < 60_000, `duration ${wav.durationMs} ms`);
    const voicedFrames = countVoicedFrames(wav.samples, wav.sampleRateHz);
    assert.ok(voicedFrames * 20 > 5000, `voiced ${voicedFrames * 20} ms`);
  });

  test("lines on stdin; usage errors: no such agent, no input", async () => {
    const piped = await ringagent(["simulate", "--agent", "receptionist"], "where are you located\n");
    assert.equal(piped.code, 0, piped.err);
    assert.match(piped.out, /caller: where are you located\nagent: We're at one hundred Main Street/);
    const nobody = await ringagent(["simulate", "--agent", "nobody", "--text", "hi"]);
    assert.equal(nobody.code, 2);
    assert.match(nobody.err, /simulate needs --agent NAME of a conversation agent \(receptionist\)/);
    const both = await ringagent(["simulate", "--in", join(dir, "q16.wav"), "--text", "hi"]);
    assert.equal(both.code, 2);
    assert.match(both.err, /--in or --text, not both/);
  });
});

function countVoicedFrames(samples: Int16Array, sampleRateHz: number): number {
  const n = (sampleRateHz / 1000) * 20;
  let voiced = 0;
  for (let at = 0; at + n <= samples.length; at += n) if (rms(samples.subarray(at, at + n)) > 300) voiced++;
  return voiced;
}
