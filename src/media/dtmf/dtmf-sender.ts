/**
 * RFC 4733 2.5.1 sender: the packets that carry one digit. Pure: gives what to send and when (offset
 * from the start of the event); the RTP layer assigns sequence numbers and SSRC and paces them.
 */
import { encodeTelephoneEvent, eventForDigit } from "./telephone-event.js";

export interface DtmfSendOptions {
  /** RTP timestamp of the event: all packets of one event carry it (RFC 4733 2.5.1.2). */
  readonly timestamp: number;
  /** Clock of the negotiated telephone-event payload type (usually 8000). */
  readonly clockRateHz: number;
  /** Tone length; default 100 ms. Capped so the 16-bit duration field does not overflow. */
  readonly durationMs?: number;
  /** 0 to 63, meaning 0 to -63 dBm0; default 10. */
  readonly volume?: number;
  /** Update interval; default 20 ms. */
  readonly intervalMs?: number;
}

export interface DtmfPacketPlan {
  /** When to send, in ms from the first packet. */
  readonly offsetMs: number;
  readonly marker: boolean;
  readonly timestamp: number;
  readonly payload: Uint8Array;
  readonly end: boolean;
}

/** RFC 4733 2.5.1.4: "the final packet ... SHOULD be sent a total of three times". */
export const dtmfEndPacketCount = 3;

/** Undefined when `digit` is not 0-9, *, #, A-D. */
export function planDtmfPackets(digit: string, options: DtmfSendOptions): DtmfPacketPlan[] | undefined {
  const event = eventForDigit(digit);
  if (event === undefined || digit.length !== 1) return undefined;
  const intervalMs = options.intervalMs ?? 20;
  const volume = options.volume ?? 10;
  const unitsPerMs = options.clockRateHz / 1000;
  const maxMs = Math.floor(0xffff / unitsPerMs);
  const durationMs = Math.max(intervalMs, Math.min(options.durationMs ?? 100, maxMs));
  const timestamp = options.timestamp >>> 0;
  const plans: DtmfPacketPlan[] = [];
  // RFC 4733 2.5.1.2: the first packet has the marker bit; each update carries the duration so far.
  const updates = Math.ceil(durationMs / intervalMs) - 1;
  for (let k = 0; k < updates; k++) {
    plans.push({
      offsetMs: k * intervalMs,
      marker: k === 0,
      timestamp,
      payload: encodeTelephoneEvent({
        event,
        end: false,
        volume,
        duration: Math.round((k + 1) * intervalMs * unitsPerMs),
      }),
      end: false,
    });
  }
  const finalDuration = Math.round(durationMs * unitsPerMs);
  const endOffset = plans.length * intervalMs;
  for (let i = 0; i < dtmfEndPacketCount; i++) {
    plans.push({
      offsetMs: endOffset + i * intervalMs,
      marker: plans.length === 0,
      timestamp,
      payload: encodeTelephoneEvent({ event, end: true, volume, duration: finalDuration }),
      end: true,
    });
  }
  return plans;
}
