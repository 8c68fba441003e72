/**
 * The media side of a call as telephony sees it. Structurally a subset of media's
 * `MediaSessionLike` (src/media/session), so the real session satisfies it without an adapter, and
 * small fakes satisfy it in tests.
 */
import type { AudioFrame, NegotiatedMedia } from "../media/index.js";

export interface ReceivedDigit {
  readonly digit: string;
  readonly durationMs: number;
}

export type PlayoutEndReason = "completed" | "flushed" | "closed" | "failed";

export interface PlayoutResult {
  readonly utteranceId: string;
  readonly reason: PlayoutEndReason;
  /** Playout position when it ended: ms of the utterance that left on the wire. */
  readonly playoutMs: number;
}

/** One agent utterance queued on the media session. */
export interface PlayoutHandle {
  readonly id: string;
  /** Playout position so far. */
  readonly playoutMs: number;
  readonly finished: Promise<PlayoutResult>;
}

export interface PlayoutFlush {
  readonly utteranceId: string | undefined;
  readonly playoutMs: number;
}

export type UtteranceInput = AsyncIterable<AudioFrame> | readonly AudioFrame[];

export interface CallMediaStats {
  readonly packetsSent: number;
  readonly packetsReceived: number;
  readonly packetsLost: number;
  readonly late: number;
  readonly concealed: number;
}

export interface CallMediaSession {
  /** Our bound RTP port (written in our SDP). */
  readonly localPort: number;
  /** Applies an offer/answer result: the first starts media, later ones update it (hold, codec, address). */
  configure(negotiated: NegotiatedMedia): void;
  frames(): AsyncIterable<AudioFrame>;
  play(utterance: UtteranceInput): PlayoutHandle;
  flush(): PlayoutFlush;
  /** RFC 4733 digit; rejects when telephone-event was not negotiated. */
  sendDigit(digit: string, durationMs?: number): Promise<boolean>;
  /** ms since the last valid inbound packet (since configure when none yet). */
  inboundIdleMs(): number;
  close(): void;
  /** Counters, when the implementation keeps them (the real session does). */
  stats?(): CallMediaStats;
  on(event: "dtmf", listener: (digit: ReceivedDigit) => void): unknown;
  off(event: "dtmf", listener: (digit: ReceivedDigit) => void): unknown;
}

/** Opens media sessions (binds the RTP/RTCP sockets from the port range). */
export interface CallMediaFactory {
  /** The address written in our SDP c= line. */
  readonly localAddress: string;
  open(): Promise<CallMediaSession>;
  /** Sessions open now (leak check). */
  readonly openSessions: number;
}
