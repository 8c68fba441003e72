/**
 * Stage timestamps for the wire bench (issue 6): where the time between the caller's packets and the
 * agent's packets goes. Bench-only instrumentation: it wraps a few prototype methods of the in-process
 * service (jitter buffer in, inbound pull out, pipeline frame queue, VAD, speech player pause) and
 * attributes each event to a simulated caller, so product code carries no tracing hooks.
 *
 * Attribution: the caller registers its RTP timestamp base; the jitter buffer that receives those
 * timestamps is that caller's; frames pulled from its inbound stream are tagged, the pipeline queue
 * that receives a tagged `caller_audio` frame is that caller's, and VAD decisions / pauses made while
 * that queue's frame is being handled are too. All times are `performance.now()` (ms).
 */
import type { AudioFrame } from "../../src/media/audio/audio-frame.js";
import { ulawToLinear } from "../../src/media/index.js";
import { JitterBuffer } from "../../src/media/jitter/jitter-buffer.js";
import type { JitterBufferStats } from "../../src/media/jitter/jitter-types.js";
import { InboundStream } from "../../src/media/session/inbound-stream.js";
import { SpeechPlayer } from "../../src/pipeline/conversation/speech-player.js";
import { FrameQueue } from "../../src/pipeline/frames/frame-queue.js";
import type { PipelineFrame } from "../../src/pipeline/frames/pipeline-frame.js";
import { EnergyVad } from "../../src/pipeline/vad/energy-vad.js";

export interface TracePoint {
  readonly t: number;
  readonly voiced: boolean;
  /** Jitter-buffer depth after the pull (jitter-out points only). */
  readonly depthMs?: number;
}

export interface TraceEvent {
  readonly kind: string;
  readonly t: number;
}

/** Everything seen for one simulated caller. */
export class CallTrace {
  /** Inbound PCMU packets as the jitter buffer receives them (voiced: decoded RMS >= threshold). */
  readonly jitterIn: TracePoint[] = [];
  /** Inbound frames as the jitter buffer hands them to the pipeline (voiced: RMS >= threshold). */
  readonly jitterOut: TracePoint[] = [];
  /** Per-frame VAD decisions (the VAD's own notion of voiced, behind the echo gate). */
  readonly vad: TracePoint[] = [];
  /** Pipeline queue pushes/shifts of interest and speech-player pauses. */
  readonly events: TraceEvent[] = [];
  jitterBuffer: JitterBuffer | undefined;
  inbound: InboundStream | undefined;
  #lastEventKind = "";

  constructor(
    readonly tsBase: number,
    readonly voicedRms: number,
  ) {}

  event(kind: string): void {
    // Streams of audio frames: only the first of a run is interesting.
    if ((kind === "push:tts_audio" || kind === "shift:tts_audio") && this.#lastEventKind === kind) return;
    this.#lastEventKind = kind;
    this.events.push({ kind, t: performance.now() });
  }

  jitterStats(): JitterBufferStats | undefined {
    return this.jitterBuffer?.stats();
  }

  /** First event of `kind` at or after `fromMs`. */
  first(kind: string, fromMs: number, untilMs = Number.POSITIVE_INFINITY): number | undefined {
    return this.events.find((e) => e.kind === kind && e.t >= fromMs && e.t <= untilMs)?.t;
  }

  /** Mean jitter-buffer depth over the pulls in [fromMs, untilMs]. */
  meanDepthMs(fromMs: number, untilMs: number): number | undefined {
    const depths = this.jitterOut
      .filter((p) => p.t >= fromMs && p.t <= untilMs && p.depthMs !== undefined)
      .map((p) => p.depthMs ?? 0);
    return depths.length === 0 ? undefined : depths.reduce((a, b) => a + b, 0) / depths.length;
  }

  /** Last voiced point of a series within [fromMs, untilMs]. */
  static lastVoiced(points: readonly TracePoint[], fromMs: number, untilMs: number): number | undefined {
    let found: number | undefined;
    for (const p of points) if (p.voiced && p.t >= fromMs && p.t <= untilMs) found = p.t;
    return found;
  }

  static firstVoiced(points: readonly TracePoint[], fromMs: number, untilMs: number): number | undefined {
    return points.find((p) => p.voiced && p.t >= fromMs && p.t <= untilMs)?.t;
  }
}

const registered: CallTrace[] = [];
const byJitter = new WeakMap<object, CallTrace>();
const byFrame = new WeakMap<object, CallTrace>();
const byQueue = new WeakMap<object, CallTrace>();
let handling: CallTrace | undefined;

export function registerCall(tsBase: number, voicedRms: number): CallTrace {
  const trace = new CallTrace(tsBase >>> 0, voicedRms);
  registered.push(trace);
  return trace;
}

export function unregisterCall(trace: CallTrace): void {
  const i = registered.indexOf(trace);
  if (i >= 0) registered.splice(i, 1);
}

function rms(samples: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += (samples[i] ?? 0) ** 2;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

const tracedKinds = new Set([
  "caller_started_speaking",
  "caller_stopped_speaking",
  "user_turn",
  "llm_text",
  "tts_audio",
  "interrupt",
]);

let installed = false;

/** Wraps the prototypes once per process. */
export function installWireTrace(): void {
  if (installed) return;
  installed = true;

  const push = JitterBuffer.prototype.push;
  JitterBuffer.prototype.push = function (this: JitterBuffer, packet, arrivalMs) {
    if (!byJitter.has(this)) {
      const trace = registered.find((r) => (packet.timestamp - r.tsBase) >>> 0 < 160 * 10_000);
      if (trace !== undefined) {
        byJitter.set(this, trace);
        trace.jitterBuffer = this;
      }
    }
    const trace = byJitter.get(this);
    if (trace !== undefined && packet.payloadType === 0) {
      const pcm = new Int16Array(packet.payload.length);
      for (let i = 0; i < pcm.length; i++) pcm[i] = ulawToLinear(packet.payload[i] ?? 0xff);
      trace.jitterIn.push({ t: performance.now(), voiced: rms(pcm) >= trace.voicedRms });
    }
    return push.call(this, packet, arrivalMs);
  };

  const traceOut = (inbound: InboundStream, frame: AudioFrame): void => {
    const trace = byJitter.get(inbound.jitter);
    if (trace === undefined) return;
    trace.inbound = inbound;
    byFrame.set(frame, trace);
    trace.jitterOut.push({
      t: performance.now(),
      voiced: rms(frame.samples) >= trace.voicedRms,
      depthMs: inbound.jitter.bufferedMs,
    });
  };
  const pull = InboundStream.prototype.pull;
  InboundStream.prototype.pull = function (this: InboundStream) {
    const frame = pull.call(this);
    traceOut(this, frame);
    return frame;
  };
  const pullDue = InboundStream.prototype.pullDue;
  InboundStream.prototype.pullDue = function (this: InboundStream, nowMs: number) {
    const frame = pullDue.call(this, nowMs);
    if (frame !== undefined) traceOut(this, frame);
    return frame;
  };

  const queuePush = FrameQueue.prototype.push;
  FrameQueue.prototype.push = function (this: FrameQueue, frame: PipelineFrame) {
    if (frame.kind === "caller_audio" && !byQueue.has(this)) {
      const trace = byFrame.get(frame.frame);
      if (trace !== undefined) byQueue.set(this, trace);
    }
    if (tracedKinds.has(frame.kind)) byQueue.get(this)?.event(`push:${frame.kind}`);
    queuePush.call(this, frame);
  };

  const queueShift = FrameQueue.prototype.shift;
  FrameQueue.prototype.shift = function (this: FrameQueue) {
    const frame = queueShift.call(this);
    handling = byQueue.get(this);
    if (frame !== undefined && (frame.kind === "user_turn" || frame.kind === "tts_audio")) {
      handling?.event(`shift:${frame.kind}`);
    }
    return frame;
  };

  const process = EnergyVad.prototype.process;
  EnergyVad.prototype.process = function (this: EnergyVad, frame, gate) {
    const decision = process.call(this, frame, gate);
    handling?.vad.push({ t: performance.now(), voiced: decision.voiced });
    return decision;
  };

  const pauseAll = SpeechPlayer.prototype.pauseAll;
  SpeechPlayer.prototype.pauseAll = function (this: SpeechPlayer) {
    handling?.event("pause");
    pauseAll.call(this);
  };
}

/** Wall-clock marks the simulated caller takes itself (performance.now()). */
export interface CallerMarks {
  /** The question started going out / its last voiced packet left. */
  questionAt: number;
  lastVoicedSentAt: number;
  /** The agent's first voiced packet of the answer arrived. */
  answerAt: number | undefined;
  /** The barge-in speech started going out / its first voiced packet left. */
  bargeAt: number;
  firstVoicedSentAt: number;
  /** The agent's last voiced packet before it went quiet, and when it went quiet. */
  lastAgentVoicedAt: number | undefined;
  stoppedAt: number | undefined;
}

export type Stages = Record<string, number | undefined>;

/** Turn stages, each in ms after the caller's last voiced packet (cumulative). */
export function turnStages(trace: CallTrace, m: CallerMarks): Stages {
  const t0 = m.lastVoicedSentAt;
  const endpoint = trace.first("push:user_turn", m.questionAt);
  const until = endpoint ?? Number.POSITIVE_INFINITY;
  const rel = (t: number | undefined): number | undefined => (t === undefined ? undefined : t - t0);
  const after = (kind: string): number | undefined =>
    endpoint === undefined ? undefined : trace.first(kind, endpoint);
  return {
    "jitter in: last voiced packet arrived": rel(CallTrace.lastVoiced(trace.jitterIn, m.questionAt, until)),
    "jitter out: last voiced frame": rel(CallTrace.lastVoiced(trace.jitterOut, m.questionAt, until)),
    "VAD: last voiced frame": rel(CallTrace.lastVoiced(trace.vad, m.questionAt, until)),
    "VAD: speech end (hangover)": rel(trace.first("push:caller_stopped_speaking", m.questionAt)),
    "endpointing fires (user_turn)": rel(endpoint),
    "LLM request (user_turn handled)": rel(after("shift:user_turn")),
    "LLM first token": rel(after("push:llm_text")),
    "TTS first frame": rel(after("push:tts_audio")),
    "first frame to the sink": rel(after("shift:tts_audio")),
    "first voiced packet at the caller": rel(m.answerAt),
  };
}

/** Barge-in stages, each in ms after the caller's first voiced packet (cumulative). */
export function bargeStages(trace: CallTrace, m: CallerMarks): Stages {
  const t0 = m.firstVoicedSentAt;
  const rel = (t: number | undefined): number | undefined => (t === undefined ? undefined : t - t0);
  const end = m.stoppedAt ?? Number.POSITIVE_INFINITY;
  return {
    "jitter in: first voiced packet arrived": rel(
      CallTrace.firstVoiced(trace.jitterIn, m.bargeAt, end + 500),
    ),
    "jitter out: first voiced frame": rel(CallTrace.firstVoiced(trace.jitterOut, m.bargeAt, end + 500)),
    "VAD: first voiced frame": rel(CallTrace.firstVoiced(trace.vad, m.bargeAt, end + 500)),
    "VAD: speech start": rel(trace.first("push:caller_started_speaking", m.bargeAt)),
    "pause + sink flush": rel(trace.first("pause", m.bargeAt)),
    "last voiced agent packet at the caller": rel(m.lastAgentVoicedAt),
    "agent audio stopped on the wire": rel(m.stoppedAt),
  };
}
