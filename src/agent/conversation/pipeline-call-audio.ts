/**
 * Adapts a telephony call's audio port (frames in; utterances out through the paced media queue)
 * to the pipeline's `CallAudio` and `PlayoutSink` seams. It also watches the wire side of playout:
 * when each agent utterance's first packet and first *voiced* packet left (wire-to-wire latency),
 * and which agent frames were sent when (the stereo recording's right channel).
 */
import type { AudioFrame } from "../../media/index.js";
import type {
  CallAudio,
  PlayoutOutcome,
  PlayoutPosition,
  PlayoutSink,
  UtteranceHandle,
} from "../../pipeline/index.js";
import type { Clock } from "../../shared/index.js";
import type { CallAudioPort, PlayoutHandle } from "../../telephony/index.js";

const frameMs = 20;
/** A frame at or above this RMS (PCM16 units, about -50 dBFS) counts as voiced. */
const voicedRms = 100;

export function frameRms(frame: AudioFrame): number {
  const s = frame.samples;
  if (s.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < s.length; i++) {
    const v = s[i] ?? 0;
    sum += v * v;
  }
  return Math.sqrt(sum / s.length);
}

export function isVoiced(frame: AudioFrame): boolean {
  return frameRms(frame) >= voicedRms;
}

export interface CallAudioTaps {
  /** Every caller frame as the pipeline reads it (`atMs` on the agent's clock). */
  onCallerFrame?(frame: AudioFrame, atMs: number): void;
  /** Agent frames that left on the wire, each with the time it was sent. */
  onAgentFrame?(frame: AudioFrame, atMs: number): void;
  /** The first voiced frame of an utterance left on the wire. */
  onAgentVoiced?(utteranceId: string, atMs: number): void;
}

/** The media's own utterance handle also reports when its first packet was sent. */
function startedOf(handle: PlayoutHandle): Promise<boolean> | undefined {
  if ("started" in handle && handle.started instanceof Promise) {
    const started: Promise<unknown> = handle.started;
    return started.then((value) => value === true);
  }
  return undefined;
}

/** Frames from TTS, handed to the media queue as an async source. */
class FrameChannel implements AsyncIterable<AudioFrame> {
  readonly #frames: AudioFrame[] = [];
  #ended = false;
  #wake: (() => void) | undefined;

  push(frame: AudioFrame): void {
    if (this.#ended) return;
    this.#frames.push(frame);
    this.#wake?.();
  }

  end(): void {
    this.#ended = true;
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<AudioFrame> {
    for (;;) {
      const frame = this.#frames.shift();
      if (frame !== undefined) {
        yield frame;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
  }
}

class PortUtterance implements UtteranceHandle {
  readonly utteranceId: string;
  readonly finished: Promise<PlayoutOutcome>;
  readonly media: PlayoutHandle;
  /** Every frame written, in order (for the recording and the first voiced frame). */
  readonly written: AudioFrame[] = [];
  readonly #channel = new FrameChannel();
  /** When the first packet left (our clock). */
  startedAtMs: number | undefined;
  firstVoicedIndex: number | undefined;
  voicedReported = false;
  /** Frames already given to the recording tap. */
  recorded = 0;
  done = false;

  constructor(utteranceId: string, port: CallAudioPort) {
    this.utteranceId = utteranceId;
    this.media = port.play(this.#channel);
    this.finished = this.media.finished.then((result) => ({
      completed: result.reason === "completed",
      playedMs: result.playoutMs,
    }));
  }

  write(frame: AudioFrame): void {
    if (this.done) return;
    if (this.firstVoicedIndex === undefined && isVoiced(frame)) this.firstVoicedIndex = this.written.length;
    this.written.push(frame);
    this.#channel.push(frame);
  }

  end(): void {
    this.#channel.end();
  }

  positionMs(): number {
    return this.media.playoutMs;
  }
}

/** One call's audio seen by the pipeline. */
export class PipelineCallAudio implements CallAudio, PlayoutSink {
  readonly sampleRateHz: number;
  readonly #port: CallAudioPort;
  readonly #clock: Clock;
  readonly #taps: CallAudioTaps;
  readonly #live: PortUtterance[] = [];

  constructor(port: CallAudioPort, clock: Clock, taps: CallAudioTaps = {}) {
    this.#port = port;
    this.#clock = clock;
    this.#taps = taps;
    this.sampleRateHz = port.sampleRateHz;
  }

  async *frames(): AsyncIterable<AudioFrame> {
    for await (const frame of this.#port.frames()) {
      const atMs = this.#clock.nowMs();
      this.#taps.onCallerFrame?.(frame, atMs);
      this.#progress(atMs);
      yield frame;
    }
    this.#progress(this.#clock.nowMs());
  }

  play(utterance: { readonly utteranceId: string }): UtteranceHandle {
    const u = new PortUtterance(utterance.utteranceId, this.#port);
    this.#live.push(u);
    void startedOf(u.media)?.then((started) => {
      if (started) u.startedAtMs ??= this.#clock.nowMs();
    });
    void u.finished.then(() => {
      this.#progress(this.#clock.nowMs());
      u.done = true;
      const i = this.#live.indexOf(u);
      if (i >= 0) this.#live.splice(i, 1);
    });
    return u;
  }

  flush(): PlayoutPosition {
    const result = this.#port.flush();
    const playing = this.#live.find((u) => u.media.id === result.utteranceId);
    return { utteranceId: playing?.utteranceId, playedMs: result.playoutMs };
  }

  /** Reports frames that left on the wire since the last call (runs every caller frame: 20 ms). */
  #progress(nowMs: number): void {
    for (const u of this.#live) {
      const playedMs = u.media.playoutMs;
      if (playedMs <= 0) continue;
      // Without the media's start signal, infer the start from the position (fakes).
      u.startedAtMs ??= nowMs - playedMs;
      const startedAtMs = u.startedAtMs;
      const played = Math.min(u.written.length, Math.floor(playedMs / frameMs));
      for (; u.recorded < played; u.recorded++) {
        const frame = u.written[u.recorded];
        if (frame !== undefined) this.#taps.onAgentFrame?.(frame, startedAtMs + u.recorded * frameMs);
      }
      if (!u.voicedReported && u.firstVoicedIndex !== undefined && played > u.firstVoicedIndex) {
        u.voicedReported = true;
        this.#taps.onAgentVoiced?.(u.utteranceId, startedAtMs + u.firstVoicedIndex * frameMs);
      }
    }
  }
}
