/**
 * End-to-end helpers: the whole service started in-process from a config object on free ports, and
 * scripted callers (baresip playing flite speech at planned times) with helpers to cut, transcribe
 * and measure the recordings.
 */
import { execFile } from "node:child_process";
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { configSchema, type RingagentConfig } from "../../src/config/index.js";
import { type ServiceHandle, type StartOptions, startRingagent } from "../../src/main.js";
import { createLogger, silentLogger } from "../../src/shared/index.js";
import { channelSamples, readWavFile, type WavAudio, writeMonoWavFile } from "../../src/store/index.js";
import { allocPort, resample, synthesize, transcribe } from "../bed/index.js";

const run = promisify(execFile);

export interface ServiceSetup {
  readonly dir: string;
  readonly agent?: Record<string, unknown>;
  readonly recordings?: boolean;
  readonly token?: string;
  /** Extra config fields merged at the top level. */
  readonly extra?: Record<string, unknown>;
}

/** A config with one `local` line (UDP on a free loopback port) answered by `reception`. */
export async function e2eConfig(setup: ServiceSetup): Promise<{ config: RingagentConfig; sipPort: number }> {
  const sipPort = await allocPort(["udp", "tcp"]);
  const rtpBase = 32_000 + Math.floor(Math.random() * 60) * 500;
  const config = configSchema.parse({
    instance: "e2e",
    lines: [
      { name: "dev", kind: "local", listen: [`udp:127.0.0.1:${sipPort}`], agent: "reception", srtp: "off" },
    ],
    agents: { reception: { kind: "conversation", ...setup.agent } },
    media: { rtpPortMin: rtpBase, rtpPortMax: rtpBase + 498, codecs: ["PCMU", "PCMA"] },
    http: { listen: "127.0.0.1:0", ...(setup.token === undefined ? {} : { token: setup.token }) },
    store: { kind: "sqlite", path: join(setup.dir, "calls.db") },
    recordings: { enabled: setup.recordings ?? true, dir: join(setup.dir, "recordings") },
    log: { level: "silent" },
    ...setup.extra,
  });
  return { config, sipPort };
}

export async function startE2eService(
  setup: ServiceSetup,
  options: StartOptions = {},
): Promise<{ service: ServiceHandle; agentUri: string }> {
  const { config, sipPort } = await e2eConfig(setup);
  // E2E_LOG=debug writes the service's log to <dir>/service.log (with KEEP_BED=1 to keep it).
  const level = process.env.E2E_LOG;
  const logger =
    level === undefined
      ? silentLogger()
      : createLogger({
          level: level === "debug" ? "debug" : "info",
          destination: createWriteStream(join(setup.dir, "service.log")),
        });
  const service = await startRingagent(config, { logger, drainTimeoutMs: 2000, ...options });
  return { service, agentUri: `sip:agent@127.0.0.1:${sipPort}` };
}

/** One piece of the caller's script: a sentence, or silence. */
export type CallerPart = { readonly say: string } | { readonly silenceS: number };

/**
 * Builds the caller's microphone: the parts in order, 8 kHz mono, and reports where each spoken
 * part starts and ends (seconds from the start of the file).
 */
export async function callerWav(
  dir: string,
  name: string,
  parts: readonly CallerPart[],
): Promise<{ path: string; spans: { text: string; startS: number; endS: number }[] }> {
  const pieces: Int16Array[] = [];
  const spans: { text: string; startS: number; endS: number }[] = [];
  let atSamples = 0;
  for (const [i, part] of parts.entries()) {
    let samples: Int16Array;
    if ("say" in part) {
      const raw = join(dir, `${name}-${i}-raw.wav`);
      const rate = join(dir, `${name}-${i}-8k.wav`);
      await synthesize(part.say, raw);
      await resample(raw, rate, 8000);
      samples = channelSamples(await readWavFile(rate), 0);
      await rm(raw, { force: true });
      await rm(rate, { force: true });
      spans.push({ text: part.say, startS: atSamples / 8000, endS: (atSamples + samples.length) / 8000 });
    } else {
      samples = new Int16Array(Math.round(part.silenceS * 8000));
    }
    pieces.push(samples);
    atSamples += samples.length;
  }
  const all = new Int16Array(atSamples);
  let offset = 0;
  for (const p of pieces) {
    all.set(p, offset);
    offset += p.length;
  }
  const path = join(dir, `${name}.wav`);
  await writeMonoWavFile(path, all, 8000);
  return { path, spans };
}

/** Cuts [startS, endS) of one channel of a WAV into a mono file and transcribes it. */
export async function transcribeSpan(
  wav: WavAudio,
  channel: number,
  startS: number,
  endS: number,
  workDir: string,
): Promise<string> {
  const mono = channelSamples(wav, channel);
  const from = Math.max(0, Math.floor(startS * wav.sampleRateHz));
  const to = Math.min(mono.length, Math.floor(endS * wav.sampleRateHz));
  const cut = join(workDir, `cut-${process.pid}-${Math.random().toString(36).slice(2)}.wav`);
  await writeMonoWavFile(cut, mono.slice(from, Math.max(from, to)), wav.sampleRateHz);
  try {
    return await transcribe(cut, workDir);
  } finally {
    await rm(cut, { force: true });
  }
}

/** Voiced spans of one channel (20 ms windows at or above `rms`, gaps under `gapMs` merged), in seconds. */
export function voicedSpans(
  wav: WavAudio,
  channel: number,
  options: { rms?: number; gapMs?: number } = {},
): { startS: number; endS: number }[] {
  const mono = channelSamples(wav, channel);
  const win = Math.round(wav.sampleRateHz / 50);
  const threshold = options.rms ?? 300;
  const gap = Math.round((options.gapMs ?? 300) / 20);
  const spans: { startS: number; endS: number }[] = [];
  let open: { start: number; last: number } | undefined;
  for (let w = 0; w * win < mono.length; w++) {
    let sum = 0;
    const end = Math.min(mono.length, (w + 1) * win);
    for (let i = w * win; i < end; i++) sum += (mono[i] ?? 0) ** 2;
    const voiced = Math.sqrt(sum / Math.max(1, end - w * win)) >= threshold;
    if (voiced) {
      if (open !== undefined && w - open.last <= gap) open.last = w;
      else {
        if (open !== undefined)
          spans.push({ startS: (open.start * 20) / 1000, endS: ((open.last + 1) * 20) / 1000 });
        open = { start: w, last: w };
      }
    }
  }
  if (open !== undefined)
    spans.push({ startS: (open.start * 20) / 1000, endS: ((open.last + 1) * 20) / 1000 });
  return spans;
}

export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Duration of a WAV in seconds (soxi). */
export async function soxDurationS(path: string): Promise<number> {
  const { stdout } = await run("soxi", ["-D", path]);
  return Number(stdout.trim());
}
