import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { channelSamples, readWavFile } from "../../src/store/index.js";

const dir = mkdtempSync(join(tmpdir(), "ringagent-rec-crash-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("a recording whose process is SIGKILLed mid-call is a playable WAV of the patched duration", async () => {
  const path = join(dir, "call.wav");
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(import.meta.dirname, "recording-crash-child.ts"), path],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once("exit", (_code, signal) => resolve(signal)),
  );
  let patchedMs: number;
  try {
    patchedMs = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child silent for 20 s:\n${output}`)), 20_000);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString("utf8");
        const line = output.split("\n").find((l) => l.startsWith("patched "));
        if (line !== undefined) {
          clearTimeout(timer);
          resolve(Number(line.slice("patched ".length)));
        }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.once("exit", () => {
        clearTimeout(timer);
        reject(new Error(`child exited early:\n${output}`));
      });
    });
  } finally {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, "SIGKILL");
  }
  assert.equal(await exited, "SIGKILL");
  // 3.2 s fed, 0.5 s held back for the slower side, header patched at each full second written.
  assert.ok(patchedMs >= 2_000 && patchedMs <= 2_700, `patched ${patchedMs} ms`);
  const audio = await readWavFile(path);
  assert.equal(audio.channels, 2);
  assert.equal(audio.sampleRateHz, 16_000);
  assert.equal(audio.durationMs, patchedMs);
  const left = channelSamples(audio, 0);
  const right = channelSamples(audio, 1);
  assert.ok(
    left.every((s) => s === 1_111) && right.every((s) => s === -2_222),
    "audio intact up to the patch",
  );
});
