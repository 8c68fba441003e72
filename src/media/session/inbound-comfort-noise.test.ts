/**
 * RFC 3389 comfort noise through the receive core (InboundStream on the fixed 20 ms pull grid):
 * speech plays as decoded; after a CN packet, frames the jitter buffer would make up become noise
 * at the signalled level; speech ends it; a dynamic CN payload type is accepted when configured.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { AudioFrame } from "../audio/audio-frame.js";
import { createCodec } from "../codecs/codec-registry.js";
import type { RtpPacket } from "../rtp/rtp-packet.js";
import { InboundStream } from "./inbound-stream.js";

function stream(comfortNoisePayloadType?: number): InboundStream {
  const codec = createCodec("PCMU", 8000);
  assert.ok(codec);
  return new InboundStream({
    codec,
    payloadType: 0,
    telephoneEventPayloadType: 101,
    telephoneEventClockRateHz: 8000,
    pipelineRateHz: 8000,
    ssrcSwitchAfterMs: 300,
    ...(comfortNoisePayloadType !== undefined ? { comfortNoisePayloadType } : {}),
  });
}

function packet(seq: number, payloadType: number, payload: Uint8Array): RtpPacket {
  return {
    marker: false,
    payloadType,
    sequenceNumber: seq,
    timestamp: seq * 160,
    ssrc: 0x1111,
    csrcs: [],
    payload,
    paddingBytes: 0,
  };
}

/** PCMU 0xFF is digital silence (0): any noise we hear is comfort noise. */
const pcmuSilence = new Uint8Array(160).fill(0xff);

function rms(f: AudioFrame): number {
  let sum = 0;
  for (const s of f.samples) sum += s * s;
  return Math.sqrt(sum / f.samples.length);
}

describe("InboundStream comfort noise (RFC 3389)", () => {
  test("speech, then CN at -50 dBov: made-up frames become noise at that level; speech ends it", () => {
    const s = stream();
    let seq = 1;
    let nowMs = 0;
    const frames: AudioFrame[] = [];
    // 10 speech packets (digital silence), one pull per 20 ms.
    for (let i = 0; i < 10; i++, nowMs += 20) {
      assert.equal(s.accept(packet(seq++, 0, pcmuSilence), nowMs), "accepted");
      frames.push(s.pull());
    }
    // The sender goes quiet: one CN packet (RFC 3389: level 50 = -50 dBov), then nothing for 400 ms.
    assert.equal(s.accept(packet(seq++, 13, new Uint8Array([50])), nowMs), "accepted");
    assert.equal(s.comfortNoise.active, true);
    const quiet: AudioFrame[] = [];
    for (let i = 0; i < 20; i++, nowMs += 20) quiet.push(s.pull());
    // Whatever speech was still buffered plays first (silent), then the noise.
    const noisy = quiet.filter((f) => rms(f) > 0);
    assert.ok(noisy.length >= 15, `${noisy.length} of 20 quiet frames were noise`);
    const expected = 32767 * 10 ** (-50 / 20);
    for (const f of noisy) {
      assert.ok(Math.abs(20 * Math.log10(rms(f) / expected)) < 3, `${rms(f)} vs ${expected}`);
    }
    assert.ok(
      frames.every((f) => rms(f) === 0),
      "speech frames are the decoded speech",
    );
    // Speech resumes: CN ends at once.
    assert.equal(s.accept(packet(seq++, 0, pcmuSilence), nowMs), "accepted");
    assert.equal(s.comfortNoise.active, false);
    assert.equal(s.comfortNoise.stats().packets, 1);
  });

  test("time-based playout (pullDue): after CN, the frames released while nothing arrives are noise", () => {
    const s = stream();
    let seq = 1;
    const out: AudioFrame[] = [];
    const drain = (nowMs: number): void => {
      for (let f = s.pullDue(nowMs); f !== undefined; f = s.pullDue(nowMs)) out.push(f);
    };
    for (let nowMs = 0; nowMs < 200; nowMs += 5) {
      if (nowMs % 20 === 0) s.accept(packet(seq++, 0, pcmuSilence), nowMs);
      drain(nowMs);
    }
    const speechFrames = out.length;
    assert.ok(speechFrames >= 8);
    assert.ok(out.every((f) => rms(f) === 0));
    s.accept(packet(seq++, 13, new Uint8Array([45])), 200);
    for (let nowMs = 200; nowMs < 600; nowMs += 5) drain(nowMs);
    const quiet = out.slice(speechFrames);
    assert.ok(quiet.length >= 18, `${quiet.length} frames released in 400 ms`);
    const noisy = quiet.filter((f) => rms(f) > 0);
    assert.ok(noisy.length >= quiet.length - 3, `${noisy.length} of ${quiet.length} were noise`);
  });

  test("without CN, the same gap stays silent (concealment of silence)", () => {
    const s = stream();
    for (let i = 1; i <= 10; i++) s.accept(packet(i, 0, pcmuSilence), i * 20);
    for (let i = 0; i < 30; i++) assert.equal(rms(s.pull()), 0);
  });

  test("a negotiated dynamic CN payload type is taken; an empty CN payload is counted, not played", () => {
    const s = stream(98);
    assert.equal(s.accept(packet(1, 0, pcmuSilence), 0), "accepted");
    assert.equal(s.accept(packet(2, 98, new Uint8Array(0)), 20), "accepted");
    assert.equal(s.comfortNoise.active, false);
    assert.equal(s.comfortNoise.stats().malformed, 1);
    assert.equal(s.accept(packet(3, 13, new Uint8Array([40])), 40), "wrong-payload-type");
    assert.equal(s.accept(packet(4, 98, new Uint8Array([40])), 60), "accepted");
    assert.equal(s.comfortNoise.active, true);
  });
});
