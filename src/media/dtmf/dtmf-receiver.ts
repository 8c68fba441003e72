/**
 * RFC 4733 2.5.2 receiver: turns telephone-event packets into digits, each reported once (with its
 * duration) however many updates and end retransmissions arrive. Pure; no timers.
 */
import { type DtmfDigit, decodeTelephoneEvent, digitForEvent } from "./telephone-event.js";

export interface DtmfDigitEvent {
  readonly digit: DtmfDigit;
  readonly durationMs: number;
  /** The event's RTP timestamp (identifies it). */
  readonly timestamp: number;
}

export interface DtmfReceiverStats {
  digits: number;
  malformed: number;
  /** Events 16+ (other tones) ignored. */
  ignoredEvents: number;
  /** Digits reported without an end packet (a new event began first, or flush()). */
  endMissing: number;
}

interface PendingEvent {
  readonly digit: DtmfDigit;
  readonly timestamp: number;
  duration: number;
}

/** Remember this many finished events so late end retransmissions are not reported again. */
const finishedMemory = 16;

export class DtmfReceiver {
  private pending: PendingEvent | undefined;
  private readonly finished: number[] = [];
  private readonly counters: DtmfReceiverStats = { digits: 0, malformed: 0, ignoredEvents: 0, endMissing: 0 };

  constructor(private readonly clockRateHz: number) {}

  /** Feed one packet of the telephone-event payload type; returns digits completed by it (usually 0 or 1). */
  push(packet: { readonly timestamp: number; readonly payload: Uint8Array }): DtmfDigitEvent[] {
    const e = decodeTelephoneEvent(packet.payload);
    if (!e) {
      this.counters.malformed++;
      return [];
    }
    const digit = digitForEvent(e.event);
    if (!digit) {
      this.counters.ignoredEvents++;
      return [];
    }
    // RFC 4733 2.5.2.1: packets of one event share its timestamp; a finished one may be retransmitted.
    if (this.finished.includes(packet.timestamp)) return [];
    const out: DtmfDigitEvent[] = [];
    if (this.pending && this.pending.timestamp !== packet.timestamp) {
      // A new event began before the old one's end arrived (all end packets lost).
      this.counters.endMissing++;
      out.push(this.finish(this.pending));
    }
    if (!this.pending) this.pending = { digit, timestamp: packet.timestamp, duration: e.duration };
    this.pending.duration = Math.max(this.pending.duration, e.duration);
    if (e.end) out.push(this.finish(this.pending));
    return out;
  }

  /** Report a digit still in progress (stream ended or went quiet). */
  flush(): DtmfDigitEvent[] {
    if (!this.pending) return [];
    this.counters.endMissing++;
    return [this.finish(this.pending)];
  }

  stats(): DtmfReceiverStats {
    return { ...this.counters };
  }

  private finish(p: PendingEvent): DtmfDigitEvent {
    this.pending = undefined;
    this.finished.push(p.timestamp);
    if (this.finished.length > finishedMemory) this.finished.shift();
    this.counters.digits++;
    return {
      digit: p.digit,
      durationMs: Math.round((p.duration * 1000) / this.clockRateHz),
      timestamp: p.timestamp,
    };
  }
}
