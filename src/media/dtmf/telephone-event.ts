/**
 * RFC 4733 2.3 telephone-event payload:
 *  0                   1                   2                   3
 * |     event     |E|R| volume    |          duration             |
 */

export type DtmfDigit =
  | "0"
  | "1"
  | "2"
  | "3"
  | "4"
  | "5"
  | "6"
  | "7"
  | "8"
  | "9"
  | "*"
  | "#"
  | "A"
  | "B"
  | "C"
  | "D";

/** RFC 4733 3.2 table 7: DTMF named events 0-15. */
const digitsByEvent: readonly DtmfDigit[] = [
  "0",
  "1",
  "2",
  "3",
  "4",
  "5",
  "6",
  "7",
  "8",
  "9",
  "*",
  "#",
  "A",
  "B",
  "C",
  "D",
];

export interface TelephoneEvent {
  readonly event: number;
  /** E bit: the final packet(s) of the event. */
  readonly end: boolean;
  /** Power level of the tone, 0 to -63 dBm0, carried as 0-63 (RFC 4733 2.3.4). */
  readonly volume: number;
  /** In RTP timestamp units since the event began (RFC 4733 2.3.5). */
  readonly duration: number;
}

export const telephoneEventPayloadBytes = 4;

export function encodeTelephoneEvent(e: TelephoneEvent): Uint8Array {
  const out = new Uint8Array(4);
  out[0] = e.event & 0xff;
  out[1] = (e.end ? 0x80 : 0) | (e.volume & 0x3f);
  out[2] = (e.duration >> 8) & 0xff;
  out[3] = e.duration & 0xff;
  return out;
}

/** Undefined when the payload is shorter than 4 bytes (RFC 4733 2.3: a packet may carry only one event here). */
export function decodeTelephoneEvent(payload: Uint8Array): TelephoneEvent | undefined {
  if (payload.length < telephoneEventPayloadBytes) return undefined;
  const b1 = payload[1] ?? 0;
  return {
    event: payload[0] ?? 0,
    end: (b1 & 0x80) !== 0,
    volume: b1 & 0x3f,
    duration: ((payload[2] ?? 0) << 8) | (payload[3] ?? 0),
  };
}

export function digitForEvent(event: number): DtmfDigit | undefined {
  return digitsByEvent[event];
}

export function eventForDigit(digit: string): number | undefined {
  const i = digitsByEvent.indexOf(digit.toUpperCase() as DtmfDigit);
  return i < 0 ? undefined : i;
}

export function isDtmfDigit(value: string): value is DtmfDigit {
  return eventForDigit(value) !== undefined && value.length === 1;
}
