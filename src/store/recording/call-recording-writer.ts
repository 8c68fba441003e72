/**
 * Writes a call's recording as a stereo 16-bit WAV (caller left, agent right) while the call runs.
 *
 * Time alignment: each frame comes with the time it was heard/sent (`atMs`, on the same clock as
 * `originMs`), which fixes its sample position; what neither side sent is silence. A frame that
 * lands within `alignToleranceMs` of where its side's previous frame ended is placed right after
 * it, so timestamp jitter does not cut clicks or gaps into continuous speech.
 *
 * Crash safety: audio is held back `maxLagMs` (so the slower side can still arrive), then appended
 * to the file; the RIFF and data sizes in the header are patched after each `patchIntervalMs` of
 * audio, so a process killed mid-call leaves a playable file holding all but the last second or so.
 *
 * File writes are asynchronous and serialised; `writeCaller`/`writeAgent` never block or throw on
 * I/O: the first I/O error is kept and reported by `drain()`/`close()`.
 */
import { type FileHandle, open } from "node:fs/promises";
import { RingagentError } from "../../shared/index.js";
import { pcm16Bytes, wavHeader, wavHeaderBytes } from "./wav-format.js";

export interface CallRecordingOptions {
  path: string;
  sampleRateHz: number;
  /** The time of sample 0, on the clock the frames' `atMs` come from. */
  originMs: number;
  /** How long audio is held for the other side before it is written (default 500 ms). */
  maxLagMs?: number;
  /** The header sizes are patched after each this much new audio (default 1000 ms). */
  patchIntervalMs?: number;
  /** A frame this close to its side's continuation point is placed contiguously (default 40 ms). */
  alignToleranceMs?: number;
}

export const defaultCallRecordingOptions = {
  maxLagMs: 500,
  patchIntervalMs: 1_000,
  alignToleranceMs: 40,
} as const;

const channels = 2;
const callerChannel = 0;
const agentChannel = 1;

export class CallRecordingWriter {
  readonly path: string;
  readonly sampleRateHz: number;
  private readonly file: FileHandle;
  private readonly originMs: number;
  private readonly maxLagSamples: number;
  private readonly patchIntervalSamples: number;
  private readonly toleranceSamples: number;
  /** Interleaved samples from frame `base` on, not yet written. */
  private pending = new Int16Array(channels * 8_000);
  private base = 0;
  /** One past the last sample frame either side has written. */
  private highWater = 0;
  /** Where each side's last frame ended (its continuation point). */
  private readonly channelEnd = [0, 0];
  private patchedFrames = 0;
  private patchScheduledFrames = 0;
  private queue: Promise<void> = Promise.resolve();
  private ioError: unknown;
  private closed = false;
  private lateDropped = 0;

  private constructor(file: FileHandle, options: CallRecordingOptions) {
    this.file = file;
    this.path = options.path;
    this.sampleRateHz = options.sampleRateHz;
    this.originMs = options.originMs;
    const samplesOf = (ms: number): number => Math.round((ms * options.sampleRateHz) / 1000);
    this.maxLagSamples = samplesOf(options.maxLagMs ?? defaultCallRecordingOptions.maxLagMs);
    this.patchIntervalSamples = samplesOf(
      options.patchIntervalMs ?? defaultCallRecordingOptions.patchIntervalMs,
    );
    this.toleranceSamples = samplesOf(
      options.alignToleranceMs ?? defaultCallRecordingOptions.alignToleranceMs,
    );
  }

  /** Creates (truncates) the file and writes a header for an empty recording. */
  static async open(options: CallRecordingOptions): Promise<CallRecordingWriter> {
    if (!Number.isInteger(options.sampleRateHz) || options.sampleRateHz < 8_000) {
      throw new RingagentError("recording_invalid", "recording sample rate must be an integer >= 8000 Hz");
    }
    const file = await open(options.path, "w");
    try {
      await file.write(wavHeader({ channels, sampleRateHz: options.sampleRateHz }, 0), 0, wavHeaderBytes, 0);
    } catch (error) {
      await file.close();
      throw error;
    }
    return new CallRecordingWriter(file, options);
  }

  /** What the caller said (the audio we received), heard at `atMs`. */
  writeCaller(samples: Int16Array, atMs: number): void {
    this.place(callerChannel, samples, atMs);
  }

  /** What the agent said (the audio we sent), sent at `atMs`. */
  writeAgent(samples: Int16Array, atMs: number): void {
    this.place(agentChannel, samples, atMs);
  }

  /** The recording's length so far. */
  get durationMs(): number {
    return (this.highWater * 1000) / this.sampleRateHz;
  }

  /** The length the file's header declares right now (what survives a crash). */
  get patchedDurationMs(): number {
    return (this.patchedFrames * 1000) / this.sampleRateHz;
  }

  /** Samples that arrived after their place had already been written (dropped). */
  get lateSamplesDropped(): number {
    return this.lateDropped;
  }

  /** Resolves when queued writes are on disk (rejects with the first I/O error). */
  async drain(): Promise<void> {
    await this.queue;
    if (this.ioError !== undefined) throw this.ioFailure();
  }

  /** Writes everything held back, patches the header and closes the file (idempotent). */
  async close(): Promise<{ durationMs: number }> {
    if (!this.closed) {
      this.closed = true;
      this.flushTo(this.highWater);
      this.enqueue(async () => this.patchHeader(this.highWater));
      this.queue = this.queue.then(async () => {
        try {
          await this.file.close();
        } catch (error) {
          this.ioError ??= error;
        }
      });
    }
    await this.drain();
    return { durationMs: this.durationMs };
  }

  private place(channel: number, samples: Int16Array, atMs: number): void {
    if (this.closed || samples.length === 0 || !Number.isFinite(atMs)) return;
    let start = Math.max(0, Math.round(((atMs - this.originMs) * this.sampleRateHz) / 1000));
    const continuation = this.channelEnd[channel] ?? 0;
    if (Math.abs(start - continuation) <= this.toleranceSamples) start = continuation;
    const end = start + samples.length;
    this.channelEnd[channel] = end;
    let skip = 0;
    if (start < this.base) {
      skip = Math.min(samples.length, this.base - start);
      this.lateDropped += skip;
    }
    if (skip === samples.length) return;
    this.ensureCapacity(end);
    for (let i = skip; i < samples.length; i++) {
      this.pending[(start + i - this.base) * channels + channel] = samples[i] ?? 0;
    }
    if (end > this.highWater) this.highWater = end;
    const flushable = this.highWater - this.maxLagSamples;
    // Write in pieces of at least 100 ms so the file sees few, larger writes.
    if (flushable - this.base >= this.sampleRateHz / 10) this.flushTo(flushable);
  }

  private ensureCapacity(endFrame: number): void {
    const needed = (endFrame - this.base) * channels;
    if (needed <= this.pending.length) return;
    let size = this.pending.length;
    while (size < needed) size *= 2;
    const grown = new Int16Array(size);
    grown.set(this.pending);
    this.pending = grown;
  }

  /** Queues frames [base, toFrame) for writing and patches the header when due. */
  private flushTo(toFrame: number): void {
    const frames = toFrame - this.base;
    if (frames <= 0) return;
    const bytes = pcm16Bytes(this.pending, frames * channels);
    const position = wavHeaderBytes + this.base * channels * 2;
    this.pending.copyWithin(0, frames * channels);
    this.pending.fill(0, this.pending.length - frames * channels);
    this.base = toFrame;
    this.enqueue(async () => {
      await this.file.write(bytes, 0, bytes.length, position);
    });
    if (toFrame - this.patchScheduledFrames >= this.patchIntervalSamples) {
      this.patchScheduledFrames = toFrame;
      this.enqueue(async () => this.patchHeader(toFrame));
    }
  }

  private async patchHeader(frames: number): Promise<void> {
    const header = wavHeader({ channels, sampleRateHz: this.sampleRateHz }, frames * channels * 2);
    await this.file.write(header, 0, wavHeaderBytes, 0);
    this.patchedFrames = frames;
  }

  private enqueue(operation: () => Promise<void>): void {
    this.queue = this.queue.then(async () => {
      if (this.ioError !== undefined) return;
      try {
        await operation();
      } catch (error) {
        this.ioError = error;
      }
    });
  }

  private ioFailure(): RingagentError {
    return new RingagentError("recording_io", "writing the call recording failed", { cause: this.ioError });
  }
}
