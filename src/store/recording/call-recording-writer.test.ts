import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { CallRecordingWriter } from "./call-recording-writer.js";
import { channelSamples, encodeWav, parseWav, readWavFile, writeMonoWavFile } from "./wav-format.js";

const dir = mkdtempSync(join(tmpdir(), "ringagent-wav-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const rateHz = 8_000;
const frameSamples = 160; // 20 ms at 8 kHz

function frame(value: number): Int16Array {
  return new Int16Array(frameSamples).fill(value);
}

async function writer(options: Partial<Parameters<typeof CallRecordingWriter.open>[0]> = {}) {
  return CallRecordingWriter.open({
    path: join(dir, `rec-${n++}.wav`),
    sampleRateHz: rateHz,
    originMs: 1_000,
    ...options,
  });
}

/** Index ranges [start, end) where `samples` equals `value` throughout; asserts the whole range. */
function assertRange(samples: Int16Array, start: number, end: number, value: number, what: string): void {
  for (let i = start; i < end; i++) {
    if (samples[i] !== value) assert.fail(`${what}: sample ${i} is ${samples[i]}, expected ${value}`);
  }
}

describe("CallRecordingWriter", () => {
  test("caller left, agent right, time-aligned, silence where a side sent nothing", async () => {
    const w = await writer();
    // Caller speaks 0..1000 ms, agent 500..1500 ms (interleaved arrival as in a live call).
    for (let t = 0; t < 1_500; t += 20) {
      if (t < 1_000) w.writeCaller(frame(1_000), 1_000 + t);
      if (t >= 500) w.writeAgent(frame(-2_000), 1_000 + t);
    }
    assert.deepEqual(await w.close(), { durationMs: 1_500 });
    const audio = await readWavFile(w.path);
    assert.equal(audio.channels, 2);
    assert.equal(audio.sampleRateHz, rateHz);
    assert.equal(audio.durationMs, 1_500);
    const left = channelSamples(audio, 0);
    const right = channelSamples(audio, 1);
    assertRange(left, 0, 8_000, 1_000, "caller");
    assertRange(left, 8_000, 12_000, 0, "caller silent");
    assertRange(right, 0, 4_000, 0, "agent silent");
    assertRange(right, 4_000, 12_000, -2_000, "agent");
  });

  test("a gap in one side becomes silence at the right place", async () => {
    const w = await writer();
    for (let t = 0; t < 200; t += 20) w.writeCaller(frame(7), 1_000 + t);
    for (let t = 500; t < 700; t += 20) w.writeCaller(frame(9), 1_000 + t);
    await w.close();
    const left = channelSamples(await readWavFile(w.path), 0);
    assert.equal(left.length, 700 * 8);
    assertRange(left, 0, 1_600, 7, "before gap");
    assertRange(left, 1_600, 4_000, 0, "gap");
    assertRange(left, 4_000, 5_600, 9, "after gap");
  });

  test("jittered timestamps still give contiguous audio (no clicks of silence inside speech)", async () => {
    const w = await writer();
    const jitterMs = [0, 3, -4, 7, -2, 5, -6, 1];
    for (let i = 0; i < 100; i++)
      w.writeCaller(frame(500), 1_000 + i * 20 + (jitterMs[i % jitterMs.length] ?? 0));
    const { durationMs } = await w.close();
    assert.equal(durationMs, 2_000);
    const left = channelSamples(await readWavFile(w.path), 0);
    assertRange(left, 0, 16_000, 500, "contiguous");
  });

  test("frames older than what was written are dropped and counted", async () => {
    const w = await writer({ maxLagMs: 100 });
    for (let t = 0; t < 1_000; t += 20) w.writeAgent(frame(3), 1_000 + t);
    await w.drain();
    w.writeCaller(frame(4), 1_000); // far behind: its place is already on disk
    assert.equal(w.lateSamplesDropped, frameSamples);
    w.writeCaller(frame(5), 1_000 + 950); // within the held-back window: kept
    await w.close();
    const left = channelSamples(await readWavFile(w.path), 0);
    assertRange(left, 0, 7_600, 0, "dropped");
    assertRange(left, 7_600, 7_760, 5, "kept");
  });

  test("the header is patched every second of audio while the file is still open", async () => {
    const w = await writer({ patchIntervalMs: 1_000, maxLagMs: 500 });
    for (let t = 0; t < 3_200; t += 20) {
      w.writeCaller(frame(1), 1_000 + t);
      w.writeAgent(frame(2), 1_000 + t);
    }
    await w.drain();
    assert.ok(w.patchedDurationMs >= 2_000 && w.patchedDurationMs <= 2_700, `patched ${w.patchedDurationMs}`);
    const partial = parseWav(readFileSync(w.path));
    assert.equal(partial.durationMs, w.patchedDurationMs);
    assertRange(channelSamples(partial, 1), 0, partial.frames, 2, "agent in partial file");
    await w.close();
    assert.equal((await readWavFile(w.path)).durationMs, 3_200);
  });

  test("writes after close are ignored; close is idempotent", async () => {
    const w = await writer();
    w.writeCaller(frame(1), 1_000);
    await w.close();
    w.writeCaller(frame(1), 1_020);
    assert.deepEqual(await w.close(), { durationMs: 20 });
  });

  test("open rejects an unwritable path and a bad sample rate", async () => {
    await assert.rejects(
      CallRecordingWriter.open({
        path: join(dir, "no-such-dir", "x.wav"),
        sampleRateHz: rateHz,
        originMs: 0,
      }),
    );
    await assert.rejects(
      CallRecordingWriter.open({ path: join(dir, "r.wav"), sampleRateHz: 100, originMs: 0 }),
      {
        code: "recording_invalid",
      },
    );
  });
});

describe("wav-format", () => {
  test("mono write/read round trip", async () => {
    const samples = Int16Array.from({ length: 1_600 }, (_, i) => ((i * 37) % 30_000) - 15_000);
    const path = join(dir, "mono.wav");
    await writeMonoWavFile(path, samples, 16_000);
    const audio = await readWavFile(path);
    assert.equal(audio.channels, 1);
    assert.equal(audio.sampleRateHz, 16_000);
    assert.equal(audio.durationMs, 100);
    assert.deepEqual(audio.samples, samples);
  });

  test("skips unknown chunks; clamps a data chunk longer than the file", () => {
    const wav = encodeWav({ channels: 1, sampleRateHz: 8_000 }, Int16Array.from([1, 2, 3, 4]));
    const list = Buffer.concat([Buffer.from("LIST", "ascii"), Buffer.from([3, 0, 0, 0, 1, 2, 3, 0])]);
    const withList = Buffer.concat([wav.subarray(0, 36), list, wav.subarray(36)]);
    assert.deepEqual(parseWav(withList).samples, Int16Array.from([1, 2, 3, 4]));
    const truncated = wav.subarray(0, wav.length - 3);
    const parsed = parseWav(truncated);
    assert.deepEqual(parsed.samples, Int16Array.from([1, 2]));
    assert.equal(parsed.declaredDataBytes, 8);
  });

  test("rejects what is not 16-bit PCM WAV with wav_invalid", () => {
    const wav = encodeWav({ channels: 1, sampleRateHz: 8_000 }, new Int16Array(4));
    const eightBit = Buffer.from(wav);
    eightBit.writeUInt16LE(8, 34);
    for (const bad of [
      Buffer.alloc(0),
      Buffer.from("RIFF....WAVE"),
      eightBit,
      Buffer.from("not a wav at all"),
    ]) {
      assert.throws(() => parseWav(bad), { code: "wav_invalid" });
    }
  });
});
