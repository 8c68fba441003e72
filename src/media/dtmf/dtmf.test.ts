import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DtmfReceiver } from "./dtmf-receiver.js";
import { formatDtmfRelayBody, parseDtmfRelayBody } from "./dtmf-relay-body.js";
import { planDtmfPackets } from "./dtmf-sender.js";
import { decodeTelephoneEvent, encodeTelephoneEvent } from "./telephone-event.js";

describe("RFC 4733 telephone-event payload", () => {
  test("encode/decode known bytes", () => {
    // Digit 5, E=1, volume 10, duration 800.
    const bytes = encodeTelephoneEvent({ event: 5, end: true, volume: 10, duration: 800 });
    assert.deepEqual([...bytes], [0x05, 0x8a, 0x03, 0x20]);
    assert.deepEqual(decodeTelephoneEvent(bytes), { event: 5, end: true, volume: 10, duration: 800 });
    assert.deepEqual(decodeTelephoneEvent(Uint8Array.of(11, 0x3f, 0xff, 0xff)), {
      event: 11,
      end: false,
      volume: 63,
      duration: 65535,
    });
    assert.equal(decodeTelephoneEvent(Uint8Array.of(1, 2, 3)), undefined);
  });
});

describe("DTMF sender", () => {
  test("100 ms digit at 8 kHz: marker start, 20 ms updates with one timestamp, three end packets", () => {
    const plan = planDtmfPackets("#", { timestamp: 123456, clockRateHz: 8000, durationMs: 100 });
    assert.ok(plan);
    assert.deepEqual(
      plan.map((p) => [p.offsetMs, p.marker, p.end, decodeTelephoneEvent(p.payload)?.duration]),
      [
        [0, true, false, 160],
        [20, false, false, 320],
        [40, false, false, 480],
        [60, false, false, 640],
        [80, false, true, 800],
        [100, false, true, 800],
        [120, false, true, 800],
      ],
    );
    assert.ok(plan.every((p) => p.timestamp === 123456 && decodeTelephoneEvent(p.payload)?.event === 11));
  });

  test("48 kHz clock scales durations; invalid digit gives undefined; long tones are capped", () => {
    const plan = planDtmfPackets("1", { timestamp: 0, clockRateHz: 48000, durationMs: 40 });
    assert.deepEqual(
      plan?.map((p) => decodeTelephoneEvent(p.payload)?.duration),
      [960, 1920, 1920, 1920],
    );
    assert.equal(planDtmfPackets("x", { timestamp: 0, clockRateHz: 8000 }), undefined);
    const long = planDtmfPackets("2", { timestamp: 0, clockRateHz: 8000, durationMs: 60_000 });
    assert.ok((decodeTelephoneEvent(long?.at(-1)?.payload ?? new Uint8Array())?.duration ?? 0) <= 0xffff);
  });
});

describe("DTMF receiver", () => {
  test("sender -> receiver: each digit once with its duration, end retransmissions ignored", () => {
    const rx = new DtmfReceiver(8000);
    const got: string[] = [];
    let ts = 1000;
    for (const d of ["1", "2", "2", "*"]) {
      for (const p of planDtmfPackets(d, { timestamp: ts, clockRateHz: 8000, durationMs: 120 }) ?? []) {
        for (const e of rx.push(p)) got.push(`${e.digit}:${e.durationMs}`);
      }
      ts += 2000;
    }
    assert.deepEqual(got, ["1:120", "2:120", "2:120", "*:120"]);
    assert.equal(rx.stats().digits, 4);
  });

  test("duplicated and reordered packets, lost end packets, flush", () => {
    const rx = new DtmfReceiver(8000);
    const a = planDtmfPackets("7", { timestamp: 10, clockRateHz: 8000 }) ?? [];
    const b = planDtmfPackets("8", { timestamp: 5000, clockRateHz: 8000 }) ?? [];
    const events: string[] = [];
    const feed = (p: { timestamp: number; payload: Uint8Array }): void => {
      for (const e of rx.push(p)) events.push(e.digit);
    };
    // "7": updates only (all three end packets lost), duplicated.
    for (const p of a.filter((p) => !p.end)) {
      feed(p);
      feed(p);
    }
    // "8" begins: "7" is reported (end missing), then "8" with a late duplicate of its end.
    for (const p of b) feed(p);
    feed(b[b.length - 1] ?? assert.fail());
    feed(a[0] ?? assert.fail());
    // The late "7" packet belongs to a finished event and is not reported again.
    assert.deepEqual(events, ["7", "8"]);
    assert.deepEqual(rx.flush(), []);
    assert.equal(rx.stats().endMissing, 1);
    // A digit in progress when the stream stops is reported by flush().
    feed(a[0] ?? assert.fail());
    const c = planDtmfPackets("9", { timestamp: 9000, clockRateHz: 8000 }) ?? [];
    feed(c[0] ?? assert.fail());
    assert.deepEqual(
      rx.flush().map((e) => `${e.digit}:${e.durationMs}`),
      ["9:20"],
    );
    feed({ timestamp: 1, payload: Uint8Array.of(1) });
    feed({ timestamp: 2, payload: Uint8Array.of(40, 0x80, 0, 160) });
    assert.equal(rx.stats().malformed, 1);
    assert.equal(rx.stats().ignoredEvents, 1);
  });
});

describe("SIP INFO application/dtmf-relay", () => {
  test("parses Signal and Duration", () => {
    assert.deepEqual(parseDtmfRelayBody("Signal=5\r\nDuration=160"), { digit: "5", durationMs: 160 });
    assert.deepEqual(parseDtmfRelayBody("Signal= #\nDuration= 250\n"), { digit: "#", durationMs: 250 });
    assert.deepEqual(parseDtmfRelayBody("signal=10\r\n"), { digit: "*", durationMs: 100 });
    assert.deepEqual(parseDtmfRelayBody("Signal=a\r\nDuration=x"), { digit: "A", durationMs: 100 });
    assert.equal(parseDtmfRelayBody("Duration=160"), undefined);
    assert.equal(parseDtmfRelayBody("Signal=55"), undefined);
    assert.equal(parseDtmfRelayBody(""), undefined);
    assert.deepEqual(parseDtmfRelayBody(formatDtmfRelayBody({ digit: "9", durationMs: 200 })), {
      digit: "9",
      durationMs: 200,
    });
  });
});
