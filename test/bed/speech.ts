/**
 * Synthetic caller speech and transcription for real-peer tests: flite TTS, sox conversions and
 * pocketsphinx STT (with the narrowband trick for 8 kHz telephone audio), plus a word-overlap score.
 */
import { execFile } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const big = { maxBuffer: 16 * 1024 * 1024, timeout: 120_000 };

export type FliteVoice = "slt" | "rms" | "awb" | "kal16" | "kal";

/** The sentences shipped with the bed (test/fixtures/bed/sentences.txt). */
export async function bedSentences(): Promise<string[]> {
  const path = join(import.meta.dirname, "..", "fixtures", "bed", "sentences.txt");
  return (await readFile(path, "utf8"))
    .split("\n")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Speaks `text` with flite into `outWav` (16 kHz mono s16 for slt/rms/awb/kal16). */
export async function synthesize(text: string, outWav: string, voice: FliteVoice = "slt"): Promise<string> {
  await run("flite", ["-voice", voice, "-t", text, "-o", outWav], big);
  return outWav;
}

/** Converts to mono s16 WAV at `rateHz` (sox rate effect). */
export async function resample(inWav: string, outWav: string, rateHz: number): Promise<string> {
  await run("sox", [inWav, "-r", String(rateHz), "-c", "1", "-b", "16", "-e", "signed-integer", outWav], big);
  return outWav;
}

/** Adds `beforeS` seconds of silence before and `afterS` after. */
export async function pad(inWav: string, outWav: string, beforeS: number, afterS: number): Promise<string> {
  await run("sox", [inWav, outWav, "pad", String(beforeS), String(afterS)], big);
  return outWav;
}

/** 8 kHz mono G.711 u-law WAV, as SIPp's `rtp_stream` plays it (payload type 0). */
export async function toUlawWav(inWav: string, outWav: string): Promise<string> {
  await run("sox", [inWav, "-r", "8000", "-c", "1", "-e", "u-law", "-b", "8", outWav], big);
  return outWav;
}

/** Duration in seconds (soxi -D). */
export async function durationS(wav: string): Promise<number> {
  const { stdout } = await run("soxi", ["-D", wav], big);
  return Number(stdout.trim());
}

/** Sample rate in Hz (soxi -r). */
export async function sampleRateHz(wav: string): Promise<number> {
  const { stdout } = await run("soxi", ["-r", wav], big);
  return Number(stdout.trim());
}

/** `seconds` of digital silence, mono s16 at `rateHz` (a long source keeps a baresip callee in the call). */
export async function silenceWav(outWav: string, seconds: number, rateHz = 8000): Promise<string> {
  await run(
    "sox",
    ["-n", "-r", String(rateHz), "-c", "1", "-b", "16", "-e", "signed-integer", outWav].concat([
      "trim",
      "0",
      String(seconds),
    ]),
    big,
  );
  return outWav;
}

/** Synthesizes `text` as 8 kHz (telephone) or 16 kHz mono s16, padded with silence. */
export async function speechWav(
  text: string,
  outWav: string,
  options: { rateHz?: 8000 | 16000; padBeforeS?: number; padAfterS?: number; voice?: FliteVoice } = {},
): Promise<string> {
  const raw = `${outWav}.tts.wav`;
  const resampled = `${outWav}.rate.wav`;
  await synthesize(text, raw, options.voice ?? "slt");
  await resample(raw, resampled, options.rateHz ?? 8000);
  await pad(resampled, outWav, options.padBeforeS ?? 0.5, options.padAfterS ?? 6);
  await rm(raw, { force: true });
  await rm(resampled, { force: true });
  return outWav;
}

async function pocketsphinx(wav16k: string): Promise<string> {
  const { stdout } = await run("pocketsphinx_continuous", ["-infile", wav16k, "-logfn", "/dev/null"], big);
  return stdout.replace(/\s+/g, " ").trim();
}

/**
 * Transcribes a WAV with pocketsphinx (en-us, 16 kHz model). Audio at 8 kHz or below goes through
 * the narrowband recipe: upsample to 16 kHz and mix faint white noise above 4.2 kHz (without it
 * the 16 kHz model fails on telephone audio). `workDir` holds the temporary files.
 */
export async function transcribe(wav: string, workDir: string): Promise<string> {
  const stamp = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const mono16 = join(workDir, `stt-${stamp}-16k.wav`);
  const noisy = join(workDir, `stt-${stamp}-nb.wav`);
  try {
    const rateHz = await sampleRateHz(wav);
    await resample(wav, mono16, 16000);
    // A wideband file that only carries telephone-band audio (an 8 kHz codec decoded and upsampled,
    // e.g. our own 16 kHz recording of a PCMU call) needs the narrowband trick as much as an 8 kHz file.
    if (rateHz > 8000 && !(await isBandLimited(mono16))) return await pocketsphinx(mono16);
    const seconds = await durationS(mono16);
    // sox `synth 0` would generate noise forever: an empty recording has nothing to transcribe.
    if (!(seconds > 0.05)) return "";
    const noise = `|sox -R -n -r 16000 -c 1 -p synth ${seconds} whitenoise vol 0.02 sinc 4200`;
    await run("sox", ["-R", "-m", mono16, noise, "-b", "16", noisy], big);
    return await pocketsphinx(noisy);
  } finally {
    await rm(mono16, { force: true });
    await rm(noisy, { force: true });
  }
}

/**
 * pocketsphinx on telephone audio is chaotic: a 10 ms shift of the same audio can turn a perfect
 * transcript into nonsense. For a check of "is the expected sentence in this recording", try the
 * recording as it is and shifted by 10 and 30 ms of leading silence, and keep the best match.
 */
export async function transcribeBest(
  wav: string,
  workDir: string,
  expected: string,
): Promise<{ transcript: string; score: number }> {
  let best = { transcript: "", score: -1 };
  for (const shiftMs of [0, 10, 30]) {
    let input = wav;
    if (shiftMs > 0) {
      input = join(workDir, `shift-${process.pid}-${Date.now()}-${shiftMs}.wav`);
      await run("sox", [wav, input, "pad", String(shiftMs / 1000), "0"], big);
    }
    try {
      const transcript = await transcribe(input, workDir);
      const score = wordOverlap(expected, transcript);
      if (score > best.score) best = { transcript, score };
      if (score >= 0.8) break;
    } finally {
      if (input !== wav) await rm(input, { force: true });
    }
  }
  return best;
}

/** RMS amplitude reported by `sox FILE -n [effects] stat`. */
async function rmsAmplitude(wav: string, effects: string[]): Promise<number> {
  const { stderr } = await run("sox", [wav, "-n", ...effects, "stat"], big);
  const match = /RMS\s+amplitude:\s+([0-9.eE+-]+)/.exec(stderr);
  return match === null ? 0 : Number(match[1]);
}

/**
 * True when the audio has (almost) nothing above 4.2 kHz: energy there 50 dB or more below the whole.
 * flite at 16 kHz measures about -31 dB there; 8 kHz audio upsampled measures about -85 dB.
 */
export async function isBandLimited(wav: string): Promise<boolean> {
  const full = await rmsAmplitude(wav, []);
  if (full === 0) return false;
  const high = await rmsAmplitude(wav, ["sinc", "4200"]);
  return high / full < 0.003;
}

/** Lower-case words without punctuation. */
export function normalizeWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, " ")
    .split(/\s+/)
    .filter((w) => w.length > 0);
}

/**
 * Fraction (0..1) of the expected words found in the transcript, counting repeats
 * (each transcript word can match one expected word).
 */
export function wordOverlap(expected: string, transcript: string): number {
  const want = normalizeWords(expected);
  if (want.length === 0) return 1;
  const have = new Map<string, number>();
  for (const word of normalizeWords(transcript)) have.set(word, (have.get(word) ?? 0) + 1);
  let found = 0;
  for (const word of want) {
    const count = have.get(word) ?? 0;
    if (count > 0) {
      found++;
      have.set(word, count - 1);
    }
  }
  return found / want.length;
}
