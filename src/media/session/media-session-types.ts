/**
 * The media session seam (design.md roadmap): telephony and the pipeline see only this interface, so
 * a WebRTC (DTLS-SRTP/ICE) session can satisfy it later next to the SDES/RTP one.
 */
import type { Logger } from "../../shared/index.js";
import type { AudioFrame } from "../audio/audio-frame.js";
import type { ResamplerRateHz } from "../audio/resampler.js";
import type { CodecFactoryOptions } from "../codecs/codec-registry.js";
import type { DtmfDigitEvent } from "../dtmf/dtmf-receiver.js";
import type { JitterBufferOptions, JitterBufferStats } from "../jitter/jitter-types.js";
import type { MediaPacer } from "../pacing/media-pacer.js";
import type { NegotiatedMedia } from "../sdp/sdp-negotiation-types.js";
import type { RtpSourceLatchOptions } from "./rtp-source-latch.js";
import type { FlushResult, UtteranceHandle, UtteranceResult, UtteranceSource } from "./utterance-queue.js";

/** Per-session counters (all since the session opened). */
export interface MediaSessionStats {
  readonly packetsSent: number;
  readonly bytesSent: number;
  readonly packetsReceived: number;
  readonly bytesReceived: number;
  /** RFC 3550 A.3 cumulative loss of the inbound stream. */
  readonly packetsLost: number;
  /** RFC 3550 A.8 interarrival jitter of the inbound stream. */
  readonly jitterMs: number;
  /** From the peer's RTCP report blocks about our stream. */
  readonly roundTripTimeMs: number | undefined;
  readonly remoteFractionLost: number | undefined;
  readonly remoteJitterMs: number | undefined;
  /** Inbound packets that arrived after their playout time. */
  readonly late: number;
  /** Frames concealed by the codec's PLC. */
  readonly concealed: number;
  readonly srtpAuthFailures: number;
  readonly srtpReplays: number;
  /** Truncated, bad header, undecryptable structure. */
  readonly malformed: number;
  /** Datagrams that are not RTP/RTCP at all (wrong version, e.g. "hello"). */
  readonly notRtp: number;
  /** Datagrams larger than the configured maximum. */
  readonly oversized: number;
  readonly wrongSsrc: number;
  readonly wrongPayloadType: number;
  /** Packets dropped because we may not receive (hold) or are not configured yet. */
  readonly droppedNotReceiving: number;
  /** Received frames dropped because the frames() reader fell behind. */
  readonly framesDropped: number;
  readonly dtmfDigitsReceived: number;
  readonly dtmfDigitsSent: number;
  readonly rtcpSent: number;
  readonly rtcpReceived: number;
  readonly rtcpMalformed: number;
  readonly sendErrors: number;
  /** Source address changes followed (symmetric RTP). */
  readonly latchChanges: number;
  /**
   * Plain-RTP packets from a source other than the latched one, dropped because that source has not
   * proven a switch (an in-sequence run while the latched source is quiet; rtp-source-latch.ts), and
   * plain RTCP packets from a host other than the one we play (a forged BYE cannot end the stream).
   */
  readonly latchRejected: number;
  readonly ssrcChanges: number;
  /** Agent frames that were not 20 ms at 8/16/24/48 kHz. */
  readonly badAgentFrames: number;
  /** The inbound jitter buffer's own figures (depth, drift corrections...). */
  readonly jitterBuffer: JitterBufferStats | undefined;
}

/** Where the session currently sends RTP (latched source or the SDP address). */
export interface MediaEndpoint {
  readonly address: string;
  readonly port: number;
}

export interface MediaSessionEvents {
  /** One received 20 ms frame at the pipeline rate. */
  frame: [frame: AudioFrame];
  /** One received RFC 4733 digit (each reported once). */
  dtmf: [digit: DtmfDigitEvent];
  utteranceStarted: [handle: UtteranceHandle];
  utteranceEnded: [result: UtteranceResult];
  /** Symmetric RTP: we now send to this source of valid packets. */
  latched: [endpoint: MediaEndpoint];
  /** The peer sent RTCP BYE. */
  remoteBye: [];
  closed: [];
}

/** What telephony and the pipeline use; satisfied by MediaSession (SDES/RTP) and later by WebRTC. */
export interface MediaSessionLike {
  readonly id: string;
  /** The local RTP port (the port written in our SDP). */
  readonly localPort: number;
  /** Apply an offer/answer result: the first one starts media, later ones are re-INVITEs (hold, codec, address). */
  configure(negotiated: NegotiatedMedia): void;
  /** Received audio, 20 ms frames at the pipeline rate; bounded (oldest dropped when the reader lags). */
  frames(): AsyncIterable<AudioFrame>;
  /** Queue an agent utterance; frames of any supported rate, 20 ms each. */
  play(utterance: UtteranceSource): UtteranceHandle;
  /** Barge-in: drop all queued agent audio now; returns how much of the playing utterance was sent. */
  flush(): FlushResult;
  /** RFC 4733 digit through the pacer; resolves true when its end packets were sent. */
  sendDigit(digit: string, durationMs?: number): Promise<boolean>;
  /** Monotonic ms since the last valid inbound packet (since configure when none yet): media timeout input. */
  inboundIdleMs(): number;
  stats(): MediaSessionStats;
  close(): void;
  on<K extends keyof MediaSessionEvents>(
    event: K,
    listener: (...args: MediaSessionEvents[K]) => void,
  ): unknown;
  off<K extends keyof MediaSessionEvents>(
    event: K,
    listener: (...args: MediaSessionEvents[K]) => void,
  ): unknown;
}

export interface MediaSessionOptions {
  /** Process pacer (default: processMediaPacer()); its clock is the session's clock. */
  readonly pacer?: MediaPacer;
  /** Rate of frames delivered to the pipeline (default 16000). */
  readonly pipelineRateHz?: ResamplerRateHz;
  /** Send silence packets when no agent audio is queued (default true). */
  readonly sendSilence?: boolean;
  /** Capacity of the frames() queue in frames (default 50 = 1 s). */
  readonly frameQueueFrames?: number;
  readonly jitter?: Partial<JitterBufferOptions>;
  /** Nominal RTCP interval (default 5000 ms, randomised 0.5-1.5x). 0 disables RTCP reports. */
  readonly rtcpIntervalMs?: number;
  /** A new inbound SSRC replaces the current one after this much quiet (default 300 ms). */
  readonly ssrcSwitchAfterMs?: number;
  /** When plain RTP may follow a new source address (defaultRtpSourceLatchOptions). */
  readonly latch?: Partial<RtpSourceLatchOptions>;
  /** Larger datagrams are dropped (default 1500). */
  readonly maxDatagramBytes?: number;
  /** Clock of the telephone-event payload type when NegotiatedMedia does not carry one (default 8000). */
  readonly telephoneEventClockRateHz?: number;
  readonly codecOptions?: CodecFactoryOptions;
  /** RTCP CNAME (default a random token). */
  readonly cname?: string;
  readonly logger?: Logger;
}

export const defaultMediaSessionOptions = {
  pipelineRateHz: 16000,
  sendSilence: true,
  frameQueueFrames: 50,
  rtcpIntervalMs: 5000,
  ssrcSwitchAfterMs: 300,
  maxDatagramBytes: 1500,
} as const satisfies MediaSessionOptions;
