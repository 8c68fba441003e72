/**
 * The receive half of a media session after SRTP and RTP parsing, a pure core (arrival time in,
 * frames out, no sockets or timers): payload type and SSRC checks, RFC 3550 receive statistics,
 * telephone-event to the DTMF receiver, audio to the jitter buffer; 20 ms frames resampled to the
 * pipeline rate, released when due by time-based playout (pullDue, asked at every pacer sub-tick) or
 * one per pull() (the fixed 20 ms grid).
 */
import type { AudioFrame } from "../audio/audio-frame.js";
import { Resampler, type ResamplerRateHz } from "../audio/resampler.js";
import type { AudioCodec } from "../codecs/codec-types.js";
import { ComfortNoiseGenerator, comfortNoiseStaticPayloadType } from "../codecs/comfort-noise.js";
import { type DtmfDigitEvent, DtmfReceiver } from "../dtmf/dtmf-receiver.js";
import { JitterBuffer } from "../jitter/jitter-buffer.js";
import type { JitterBufferOptions, JitterBufferStats } from "../jitter/jitter-types.js";
import { TimedPlayout, type TimedPlayoutOptions } from "../jitter/timed-playout.js";
import type { RtpPacket } from "../rtp/rtp-packet.js";
import { RtpReceiveStats } from "../rtp/rtp-receive-stats.js";

export interface InboundStreamConfig {
  /** Decoder for the negotiated codec (a codec instance of its own, not shared with the encoder). */
  readonly codec: AudioCodec;
  readonly payloadType: number;
  readonly telephoneEventPayloadType?: number | undefined;
  readonly telephoneEventClockRateHz: number;
  readonly pipelineRateHz: ResamplerRateHz;
  readonly jitter?: Partial<JitterBufferOptions> | undefined;
  readonly playout?: Partial<TimedPlayoutOptions> | undefined;
  /** A new SSRC replaces the current one after the current has been quiet this long. */
  readonly ssrcSwitchAfterMs: number;
  /** RFC 3389 CN payload type (negotiated; default the static 13, accepted even when not negotiated). */
  readonly comfortNoisePayloadType?: number | undefined;
}

export type InboundVerdict = "accepted" | "dtmf" | "wrong-payload-type" | "wrong-ssrc" | "late" | "duplicate";

export class InboundStream {
  readonly config: InboundStreamConfig;
  readonly jitter: JitterBuffer;
  readonly playout: TimedPlayout;
  readonly #dtmf: DtmfReceiver;
  readonly #resampler: Resampler | undefined;
  /** RFC 3389: while the peer sends CN, made-up frames (silence, concealment) become noise at its level. */
  readonly comfortNoise: ComfortNoiseGenerator;
  readonly #comfortNoisePayloadType: number;
  #ssrc: number | undefined;
  #stats: RtpReceiveStats | undefined;
  #lastAcceptedMs = Number.NEGATIVE_INFINITY;
  #acceptAnySsrc = false;
  #ssrcChanges = 0;
  /** Digits completed by the last accept() (reused array: read it before the next call). */
  readonly digits: DtmfDigitEvent[] = [];

  constructor(config: InboundStreamConfig) {
    this.config = config;
    this.jitter = new JitterBuffer(config.codec, config.jitter ?? {});
    this.playout = new TimedPlayout(this.jitter, config.playout ?? {});
    this.#dtmf = new DtmfReceiver(config.telephoneEventClockRateHz);
    this.comfortNoise = new ComfortNoiseGenerator(config.codec.sampleRateHz);
    this.#comfortNoisePayloadType = config.comfortNoisePayloadType ?? comfortNoiseStaticPayloadType;
    const codecRate = config.codec.sampleRateHz;
    this.#resampler =
      codecRate === config.pipelineRateHz
        ? undefined
        : new Resampler(codecRate as ResamplerRateHz, config.pipelineRateHz);
    // Each jitter-buffer frame is resampled at once into the frame that travels on.
    if (this.#resampler !== undefined) this.jitter.reuseFrameBuffer();
  }

  /** SSRC of the source being played, once one was accepted. */
  get ssrc(): number | undefined {
    return this.#ssrc;
  }

  get receiveStats(): RtpReceiveStats | undefined {
    return this.#stats;
  }

  get started(): boolean {
    return this.#ssrc !== undefined;
  }

  get ssrcChanges(): number {
    return this.#ssrcChanges;
  }

  /** Monotonic ms of the last accepted packet (-Infinity before the first). */
  get lastAcceptedMs(): number {
    return this.#lastAcceptedMs;
  }

  /** After a re-INVITE the peer may restart with a new SSRC: accept the next one at once. */
  expectNewSource(): void {
    this.#acceptAnySsrc = true;
  }

  /** Whether a packet from `ssrc` would be played (used to decide latching before accept()). */
  acceptsSsrc(ssrc: number, arrivalMs: number): boolean {
    return (
      this.#ssrc === undefined ||
      this.#ssrc === ssrc ||
      this.#acceptAnySsrc ||
      arrivalMs - this.#lastAcceptedMs >= this.config.ssrcSwitchAfterMs
    );
  }

  accept(packet: RtpPacket, arrivalMs: number): InboundVerdict {
    this.digits.length = 0;
    const pt = packet.payloadType;
    const isAudio = pt === this.config.payloadType;
    const isDtmf = pt === this.config.telephoneEventPayloadType;
    if (!isAudio && !isDtmf && pt !== this.#comfortNoisePayloadType) return "wrong-payload-type";
    if (!this.acceptsSsrc(packet.ssrc, arrivalMs)) return "wrong-ssrc";
    if (this.#ssrc !== packet.ssrc) this.#newSource(packet.ssrc);
    this.#lastAcceptedMs = arrivalMs;
    this.#stats?.onPacket(packet.sequenceNumber, packet.timestamp, arrivalMs);
    if (isDtmf) {
      for (const d of this.#dtmf.push(packet)) this.digits.push(d);
      return "dtmf";
    }
    if (!isAudio) {
      // RFC 3389 4: CN says the sender went quiet; noise at its level until speech resumes.
      this.comfortNoise.onComfortNoise(packet.payload);
      return "accepted";
    }
    this.comfortNoise.onSpeech();
    const outcome = this.jitter.push(
      {
        seq: packet.sequenceNumber,
        timestamp: packet.timestamp,
        marker: packet.marker,
        payloadType: pt,
        payload: packet.payload,
      },
      arrivalMs,
    );
    if (outcome === "late") return "late";
    if (outcome === "duplicate") return "duplicate";
    if (outcome === "accepted") this.playout.onAccepted(arrivalMs);
    return "accepted";
  }

  #newSource(ssrc: number): void {
    // RFC 3550 8.2: a changed SSRC is a new source: fresh statistics and decoder history.
    if (this.#ssrc !== undefined) {
      this.#ssrcChanges++;
      this.jitter.reset();
      this.playout.reset();
      this.config.codec.reset();
      this.comfortNoise.reset();
    }
    this.#ssrc = ssrc;
    this.#acceptAnySsrc = false;
    this.#stats = new RtpReceiveStats(ssrc, this.config.codec.clockRateHz);
  }

  /** One 20 ms frame at the pipeline rate (jitter buffer output, concealment or silence). */
  pull(): AudioFrame {
    const made = this.#madeUpFrames();
    const frame = this.#comfortNoiseFor(made, this.jitter.pull());
    return this.#resampler === undefined ? frame : this.#resampler.process(frame);
  }

  /** The next frame at the pipeline rate if it is due at `nowMs` (call until undefined). */
  pullDue(nowMs: number): AudioFrame | undefined {
    const made = this.#madeUpFrames();
    const due = this.playout.pullDue(nowMs);
    if (due === undefined) return undefined;
    const frame = this.#comfortNoiseFor(made, due);
    return this.#resampler === undefined ? frame : this.#resampler.process(frame);
  }

  /** While CN is active: the jitter buffer's count of silent and concealed frames (else -1). */
  #madeUpFrames(): number {
    if (!this.comfortNoise.active) return -1;
    const s = this.jitter.stats();
    return s.silentPulls + s.concealed;
  }

  /** The frame, or comfort noise when CN is active and the jitter buffer had to make this one up. */
  #comfortNoiseFor(madeBefore: number, frame: AudioFrame): AudioFrame {
    if (madeBefore < 0 || this.#madeUpFrames() === madeBefore) return frame;
    return this.comfortNoise.frame();
  }

  /** A digit still in progress when the stream ends. */
  flushDigits(): DtmfDigitEvent[] {
    return this.#dtmf.flush();
  }

  jitterStats(): JitterBufferStats {
    return this.jitter.stats();
  }
}
