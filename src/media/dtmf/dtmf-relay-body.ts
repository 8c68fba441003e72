/**
 * SIP INFO `application/dtmf-relay` body (de-facto format, e.g. Cisco/Asterisk):
 *   Signal=5\r\nDuration=160
 * Duration in ms. Signal may be the digit itself or its event number (10 = *, 11 = #).
 */
import { type DtmfDigit, digitForEvent, eventForDigit } from "./telephone-event.js";

export interface DtmfRelay {
  readonly digit: DtmfDigit;
  readonly durationMs: number;
}

export const defaultDtmfRelayDurationMs = 100;

/** Undefined when the body carries no valid Signal. Never throws. */
export function parseDtmfRelayBody(body: string): DtmfRelay | undefined {
  if (body.length > 4096) return undefined;
  let digit: DtmfDigit | undefined;
  let durationMs = defaultDtmfRelayDurationMs;
  for (const rawLine of body.split("\n")) {
    const line = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine;
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).trim();
    if (key === "signal") digit = signalToDigit(value);
    else if (key === "duration") {
      const n = Number(value);
      if (value !== "" && Number.isInteger(n) && n > 0 && n <= 60_000) durationMs = n;
    }
  }
  return digit ? { digit, durationMs } : undefined;
}

function signalToDigit(value: string): DtmfDigit | undefined {
  if (value.length === 1 && eventForDigit(value) !== undefined)
    return digitForEvent(eventForDigit(value) ?? -1);
  if (
    value === "10" ||
    value === "11" ||
    value === "12" ||
    value === "13" ||
    value === "14" ||
    value === "15"
  ) {
    return digitForEvent(Number(value));
  }
  return undefined;
}

export function formatDtmfRelayBody(relay: DtmfRelay): string {
  return `Signal=${relay.digit}\r\nDuration=${relay.durationMs}\r\n`;
}
