import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { AudioFrame } from "../audio/audio-frame.js";
import { createCodec } from "../codecs/codec-registry.js";
import { parseRtpPacket } from "../rtp/rtp-packet.js";
import { generateSrtpMasterKey } from "../srtp/srtp-inline-key.js";
import { SrtpSession } from "../srtp/srtp-session.js";
import { OutboundStream, packetSlotTrailerBytes } from "./outbound-stream.js";

function tone(frames: number): AudioFrame[] {
  return Array.from({ length: frames }, (_, f) => {
    const samples = new Int16Array(320);
    for (let i = 0; i < 320; i++) samples[i] = Math.round(9000 * Math.sin((f * 320 + i) * 0.13));
    return { samples, sampleRateHz: 16000 };
  });
}

function stream(silencePayload?: Uint8Array): OutboundStream {
  const codec = createCodec("PCMU", 8000);
  assert.ok(codec);
  return new OutboundStream({
    codec,
    payloadType: 0,
    telephoneEventPayloadType: 101,
    telephoneEventClockRateHz: 8000,
    sendSilence: true,
    silencePayload,
  });
}

describe("OutboundStream packet slots", () => {
  test("each packet starts its slot, with room for the SRTP tag; 8 slots before one is reused", () => {
    const s = stream();
    s.utterances.enqueue(tone(20));
    const seen: Uint8Array[] = [];
    for (let tick = 0; tick < 9; tick++) {
      const packet = s.nextPacket(tick);
      assert.ok(packet);
      s.packetSent(true, packet.length - 12);
      const slot = s.packetSlot;
      assert.equal(packet.buffer, slot.buffer);
      assert.equal(packet.byteOffset, slot.byteOffset);
      assert.ok(slot.length >= packet.length + packetSlotTrailerBytes);
      assert.equal((slot.byteOffset + 12) % 4, 0, "payload 32-bit aligned");
      assert.equal(parseRtpPacket(packet).ok, true);
      seen.push(slot);
    }
    const offsets = new Set(seen.slice(0, 8).map((slot) => slot.byteOffset));
    assert.equal(offsets.size, 8);
    assert.equal(seen[8]?.byteOffset, seen[0]?.byteOffset, "the ninth packet reuses the first slot");
  });

  test("the slot protected in place unprotects to the packet; a long payload grows the slots", () => {
    const key = generateSrtpMasterKey("AES_CM_128_HMAC_SHA1_80");
    const tx = new SrtpSession({ suite: "AES_CM_128_HMAC_SHA1_80", ...key });
    const rx = new SrtpSession({ suite: "AES_CM_128_HMAC_SHA1_80", ...key });
    const s = stream(new Uint8Array(700).fill(0xff));
    for (let tick = 0; tick < 12; tick++) {
      if (tick === 3) s.utterances.enqueue(tone(4));
      if (tick === 9) void s.sendDigit("5", 40);
      const packet = s.nextPacket(tick);
      assert.ok(packet);
      const plain = Uint8Array.from(packet);
      const wireBytes = tx.protectRtpInPlace(s.packetSlot, packet.length);
      assert.equal(wireBytes, packet.length + 10);
      const r = rx.unprotectRtp(Uint8Array.from(s.packetSlot.subarray(0, wireBytes)));
      assert.ok(r.ok);
      assert.deepEqual(r.packet, plain, `tick ${tick}`);
      s.packetSent(true, packet.length - 12);
    }
    assert.equal(s.packetCount, 12);
  });
});
