import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type AudioFrame, silentFrame } from "../audio/audio-frame.js";
import { createCodec } from "../codecs/codec-registry.js";
import { parseRtpPacket, type RtpPacket } from "../rtp/rtp-packet.js";
import { FrameQueue } from "./frame-queue.js";
import { OutboundStream } from "./outbound-stream.js";
import { RtpPortAllocator } from "./rtp-port-allocator.js";
import { UtteranceQueue } from "./utterance-queue.js";

function tone(n: number, rateHz = 16000): AudioFrame[] {
  return Array.from({ length: n }, () => ({
    samples: new Int16Array(rateHz / 50).map((_, i) => Math.round(8000 * Math.sin(i / 3))),
    sampleRateHz: rateHz,
  }));
}

function pcmuStream(sendSilence = true): OutboundStream {
  const codec = createCodec("PCMU", 8000);
  assert.ok(codec);
  return new OutboundStream({
    codec,
    payloadType: 0,
    telephoneEventPayloadType: 101,
    telephoneEventClockRateHz: 8000,
    sendSilence,
  });
}

function parse(packet: Uint8Array | undefined) {
  assert.ok(packet);
  const r = parseRtpPacket(packet);
  assert.ok(r.ok);
  return r.packet;
}

describe("RtpPortAllocator", () => {
  test("hands out even ports round-robin and reuses released ones last", () => {
    const a = new RtpPortAllocator({ minPort: 10001, maxPort: 10009 });
    assert.equal(a.capacity, 4);
    assert.deepEqual([a.acquire(), a.acquire(), a.acquire(), a.acquire()], [10002, 10004, 10006, 10008]);
    assert.equal(a.acquire(), undefined);
    a.release(10004);
    assert.equal(a.acquire(), 10004);
    assert.equal(a.inUse, 4);
    assert.throws(() => new RtpPortAllocator({ minPort: 100, maxPort: 200 }), { code: "media_port_range" });
  });
});

describe("FrameQueue", () => {
  test("drops the oldest on overflow and ends after close", async () => {
    const q = new FrameQueue(2);
    const frames = tone(3);
    for (const f of frames) q.push(f);
    assert.equal(q.dropped, 1);
    assert.equal((await q.next()).value, frames[1]);
    const pending = q.next();
    q.push(frames[0] as AudioFrame);
    assert.equal((await pending).value, frames[2]);
    q.close();
    assert.equal((await q.next()).value, frames[0]);
    assert.equal((await q.next()).done, true);
  });
});

describe("UtteranceQueue", () => {
  test("plays utterances in order; playout counts frames reported sent", async () => {
    const q = new UtteranceQueue();
    const a = q.enqueue(tone(2));
    const b = q.enqueue(tone(1));
    for (let i = 0; i < 3; i++) {
      assert.ok(q.takeFrame());
      q.frameSent();
    }
    assert.equal(q.takeFrame(), undefined);
    assert.deepEqual(await a.finished, { utteranceId: a.id, reason: "completed", playoutMs: 40 });
    assert.equal((await b.finished).playoutMs, 20);
    assert.equal(q.idle, true);
  });

  test("async sources are read ahead, and flush cancels them and reports the position", async () => {
    let produced = 0;
    let returned = false;
    async function* endless(): AsyncGenerator<AudioFrame> {
      try {
        for (;;) {
          produced++;
          yield silentFrame(16000);
        }
      } finally {
        returned = true;
      }
    }
    const q = new UtteranceQueue({ lookaheadFrames: 4 });
    const handle = q.enqueue(endless());
    const queued = q.enqueue(tone(5));
    await new Promise((r) => setImmediate(r));
    assert.ok(produced <= 5, `read ahead bounded (${produced})`);
    for (let i = 0; i < 3; i++) {
      assert.ok(q.takeFrame());
      q.frameSent();
    }
    assert.equal(q.current?.id, handle.id);
    const flushed = q.flush();
    assert.deepEqual(flushed, { utteranceId: handle.id, playoutMs: 60, flushedCount: 2 });
    assert.equal((await handle.finished).reason, "flushed");
    assert.equal(await queued.started, false);
    await new Promise((r) => setImmediate(r));
    assert.equal(returned, true, "the source was told to stop");
    assert.equal(q.takeFrame(), undefined);
  });

  test("a failing source ends as failed with what was heard", async () => {
    async function* failing(): AsyncGenerator<AudioFrame> {
      yield silentFrame(16000);
      throw new Error("tts down");
    }
    const q = new UtteranceQueue();
    const h = q.enqueue(failing());
    await new Promise((r) => setImmediate(r));
    assert.ok(q.takeFrame());
    q.frameSent();
    await new Promise((r) => setImmediate(r));
    assert.equal(q.takeFrame(), undefined);
    assert.deepEqual(await h.finished, { utteranceId: h.id, reason: "failed", playoutMs: 20 });
  });
});

describe("OutboundStream", () => {
  test("timestamps follow ticks across silence gaps; marker starts each talkspurt", () => {
    const s = pcmuStream(false);
    assert.equal(s.nextPacket(0), undefined, "nothing to send without silence");
    s.utterances.enqueue(tone(2));
    const p1 = parse(s.nextPacket(10));
    s.packetSent(true, 160);
    const p2 = parse(s.nextPacket(11));
    s.packetSent(true, 160);
    assert.equal(p1.marker, true);
    assert.equal(p2.marker, false);
    assert.equal((p2.timestamp - p1.timestamp) >>> 0, 160);
    assert.equal((p2.sequenceNumber - p1.sequenceNumber) & 0xffff, 1);
    assert.equal(s.nextPacket(12), undefined);
    s.utterances.enqueue(tone(1));
    const p3 = parse(s.nextPacket(20));
    assert.equal(p3.marker, true, "new talkspurt");
    assert.equal((p3.timestamp - p1.timestamp) >>> 0, 160 * 10, "timestamp advanced through the gap");
    assert.equal((p3.sequenceNumber - p2.sequenceNumber) & 0xffff, 1, "sequence did not");
    assert.equal(s.packetCount, 2);
  });

  test("DTMF pauses voice, uses the event timestamp and ends with three end packets", async () => {
    const s = pcmuStream();
    s.utterances.enqueue(tone(3));
    const digit = s.sendDigit("7", 60);
    const packets: RtpPacket[] = [];
    for (let tick = 0; tick < 8; tick++) {
      packets.push(parse(s.nextPacket(tick)));
      s.packetSent(true, 4);
    }
    const kinds = packets.map((p) =>
      p.payloadType === 101 ? ((p.payload[1] ?? 0) & 0x80 ? "E" : "d") : "v",
    );
    assert.deepEqual(kinds.join(""), "ddEEEvvv");
    assert.equal(await digit, true);
    assert.ok(packets.slice(0, 5).every((p) => p.timestamp === packets[0]?.timestamp));
    assert.equal(packets[0]?.marker, true);
    assert.equal(packets[5]?.marker, true, "voice after DTMF starts a talkspurt");
    assert.equal(s.dtmfDigitsSent, 1);
  });

  test("frames at other rates are resampled, bad frames dropped and counted", () => {
    const s = pcmuStream(false);
    s.utterances.enqueue([{ samples: new Int16Array(100), sampleRateHz: 16000 }, ...tone(1, 48000)]);
    const p = parse(s.nextPacket(0));
    assert.equal(p.payload.length, 160);
    assert.equal(s.badFrames, 1);
    assert.ok(createCodec("PCMU", 8000)?.encode(silentFrame(8000)));
  });
});
