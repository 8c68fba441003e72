import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeClock } from "../../shared/index.js";
import type { AudioFrame } from "../audio/audio-frame.js";
import { createCodec } from "../codecs/codec-registry.js";
import { MediaPacer, type PacedSource } from "../pacing/media-pacer.js";
import { parseRtpPacket, type RtpPacket } from "../rtp/rtp-packet.js";
import { OutboundStream } from "./outbound-stream.js";
import { UtteranceQueue } from "./utterance-queue.js";

function tone(n: number): AudioFrame[] {
  return Array.from({ length: n }, () => ({
    samples: new Int16Array(160).map((_, i) => Math.round(8000 * Math.sin(i / 3))),
    sampleRateHz: 8000,
  }));
}

interface Sent {
  readonly atMs: number;
  readonly packet: RtpPacket;
}

/** The send half of MediaSession on a FakeClock pacer: an outbound stream plus the re-phase hook. */
function pacedSender(clock: FakeClock, sendSilence: boolean) {
  const pacer = new MediaPacer({ clock });
  const sent: Sent[] = [];
  let outbound: OutboundStream | undefined;
  const source: PacedSource = {
    onPacerTick(tickIndex) {
      const packet = outbound?.nextPacket(tickIndex);
      if (packet === undefined) return false;
      outbound?.packetSent(true, packet.length - 12);
      const parsed = parseRtpPacket(packet);
      assert.ok(parsed.ok);
      sent.push({ atMs: clock.nowMs(), packet: parsed.packet });
      return true;
    },
  };
  const utterances = new UtteranceQueue({
    events: {
      onFramesReady: () => {
        if (outbound?.keepsPhase !== true) pacer.rephase(source);
      },
    },
  });
  const codec = createCodec("PCMU", 8000);
  assert.ok(codec);
  outbound = new OutboundStream(
    { codec, payloadType: 0, telephoneEventClockRateHz: 8000, sendSilence },
    utterances,
    pacer.phaseSlots,
  );
  pacer.register(source);
  return { pacer, sent, utterances, outbound, source };
}

describe("talkspurt start on the next sub-tick", () => {
  test("after silence: the first voice packet leaves at the next 5 ms sub-tick, on real-time timestamps", () => {
    const clock = new FakeClock();
    const { pacer, sent, utterances } = pacedSender(clock, true);
    clock.advance(40); // silence at 0, 20, 40
    clock.advance(7); // 47: the slot's next send would be at 60
    utterances.enqueue(tone(3));
    clock.advance(53); // to 100
    const times = sent.map((s) => s.atMs);
    assert.deepEqual(times, [0, 20, 40, 50, 70, 90]);
    const voice = sent.slice(3).map((s) => s.packet);
    assert.deepEqual(
      voice.map((p) => p.marker),
      [true, false, false],
      "RFC 3551 4.1: marker on the talkspurt's first packet",
    );
    const ts0 = sent[0]?.packet.timestamp ?? 0;
    // RFC 3550 5.1: timestamps are sampling instants on real time: 8 units per ms.
    assert.deepEqual(
      sent.map((s) => ((s.packet.timestamp - ts0) >>> 0) / 8),
      [0, 20, 40, 50, 70, 90],
    );
    const seq0 = sent[0]?.packet.sequenceNumber ?? 0;
    assert.deepEqual(
      sent.map((s) => (s.packet.sequenceNumber - seq0) & 0xffff),
      [0, 1, 2, 3, 4, 5],
    );
    // After the talkspurt: silence every 20 ms in the new phase.
    clock.advance(40);
    assert.deepEqual(
      sent.slice(6).map((s) => s.atMs),
      [110, 130],
    );
    assert.equal(pacer.stats().rephases, 1);
  });

  test("a talkspurt on the wire keeps its phase: audio queued meanwhile does not re-phase", () => {
    const clock = new FakeClock();
    const { pacer, sent, utterances } = pacedSender(clock, false);
    clock.advance(2);
    utterances.enqueue(tone(2)); // re-phased to sub-tick 1 (5 ms)
    clock.advance(10); // 12: voice at 5
    utterances.enqueue(tone(2)); // a second utterance while the first plays
    clock.advance(80);
    assert.deepEqual(
      sent.map((s) => s.atMs),
      [5, 25, 45, 65],
    );
    assert.equal(pacer.stats().rephases, 1);
  });

  test("nothing sent between talkspurts (no silence): each starts at the next sub-tick", () => {
    const clock = new FakeClock();
    const { sent, utterances } = pacedSender(clock, false);
    clock.advance(33);
    utterances.enqueue(tone(1)); // next sub-tick 35
    clock.advance(100); // 133
    utterances.enqueue(tone(1)); // next sub-tick 135
    clock.advance(20);
    assert.deepEqual(
      sent.map((s) => s.atMs),
      [35, 135],
    );
    assert.equal(((sent[1]?.packet.timestamp ?? 0) - (sent[0]?.packet.timestamp ?? 0)) >>> 0, 800);
    assert.ok(sent.every((s) => s.packet.marker));
  });
});
