/**
 * Two of our MediaSessions on 127.0.0.1 exchange SRTP audio negotiated through our own SDP
 * offer/answer: received audio correlates with sent audio for every codec, DTMF digits arrive once
 * each, both directions work at once, and RTCP reports flow (RTT measured).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { AudioFrame, DtmfDigitEvent, MediaSession, RtpPortAllocator } from "../../src/media/index.js";
import {
  bestLagCorrelation,
  concatFrames,
  delay,
  runtimePortAllocator,
  segmentedCorrelation,
  sessionPair,
  speechLikeFrames,
  waitFor,
} from "./media-test-helpers.js";

/** Per-codec floor for the normalised cross-correlation (Opus is not waveform-matching). */
const codecs = [
  { spec: "PCMU/8000", minCorrelation: 0.95 },
  { spec: "PCMA/8000", minCorrelation: 0.95 },
  { spec: "G722/8000", minCorrelation: 0.9 },
  { spec: "opus/48000/2", minCorrelation: 0.8 },
] as const;

async function collect(session: MediaSession, durationMs: number): Promise<AudioFrame[]> {
  const frames: AudioFrame[] = [];
  const listener = (frame: AudioFrame): void => {
    frames.push(frame);
  };
  session.on("frame", listener);
  await delay(durationMs);
  session.off("frame", listener);
  return frames;
}

describe("media session loopback (SRTP)", { timeout: 60_000 }, () => {
  let allocator: RtpPortAllocator;
  const open: MediaSession[] = [];

  before(async () => {
    allocator = await runtimePortAllocator();
  });

  after(async () => {
    for (const s of open) s.close();
    // Sockets close once the RTCP BYE has left.
    await waitFor(() => allocator.inUse === 0, 2000, "every port back in the allocator");
  });

  for (const { spec, minCorrelation } of codecs) {
    test(`${spec}: audio both ways correlates with what was sent`, async () => {
      const { a, b, negotiated } = await sessionPair(allocator, spec);
      open.push(a, b);
      assert.ok(negotiated.offerer.srtp, "SRTP negotiated");
      const sentAb = speechLikeFrames(1.5, 16000);
      const sentBa = speechLikeFrames(1.5, 16000).map((f) => ({
        samples: f.samples.map((v) => -v),
        sampleRateHz: f.sampleRateHz,
      }));
      const receivedByB = collect(b, 2300);
      const receivedByA = collect(a, 2300);
      const handleA = a.play(sentAb);
      const handleB = b.play(sentBa);
      assert.equal(await handleA.started, true);
      const resultA = await handleA.finished;
      const resultB = await handleB.finished;
      assert.equal(resultA.reason, "completed");
      assert.equal(resultA.playoutMs, sentAb.length * 20, "playout position = all of it");
      assert.equal(resultB.reason, "completed");
      for (const [label, sent, received] of [
        ["A->B", sentAb, await receivedByB],
        ["B->A", sentBa, await receivedByA],
      ] as const) {
        assert.ok(received.every((f) => f.sampleRateHz === 16000 && f.samples.length === 320));
        const sentSamples = concatFrames(sent);
        const receivedSamples = concatFrames(received);
        const { lag } = bestLagCorrelation(sentSamples, receivedSamples, 16000);
        const correlation = segmentedCorrelation(sentSamples, receivedSamples, 16000);
        console.log(
          `${spec} ${label}: correlation ${correlation.toFixed(3)} at lag ${(lag / 16).toFixed(1)} ms`,
        );
        assert.ok(correlation > minCorrelation, `${spec} ${label} correlation ${correlation}`);
      }
      const stats = b.stats();
      assert.ok(stats.packetsReceived >= 75, `B received ${stats.packetsReceived}`);
      assert.equal(stats.srtpAuthFailures, 0);
      assert.equal(stats.wrongSsrc, 0);
      assert.equal(stats.malformed, 0);
      assert.ok(a.stats().packetsSent >= 75);
      // npm ci builds native/media: these calls ran on it (RINGAGENT_MEDIA_NATIVE=off: the JS engine).
      const expected = process.env.RINGAGENT_MEDIA_NATIVE === "off" ? ["dgram", "js"] : ["native", "native"];
      for (const s of [a, b]) assert.deepEqual([s.engines.send, s.engines.srtp], expected);
      a.close();
      b.close();
    });
  }

  test("DTMF digits sent arrive once each, in order, between voice", async () => {
    const { a, b } = await sessionPair(allocator, "PCMU/8000");
    open.push(a, b);
    const digits: DtmfDigitEvent[] = [];
    b.on("dtmf", (d) => digits.push(d));
    const voice = a.play(speechLikeFrames(0.5, 16000));
    const sent = await Promise.all(["1", "5", "#", "9"].map((d) => a.sendDigit(d, 80)));
    assert.deepEqual(sent, [true, true, true, true]);
    await voice.finished;
    await waitFor(() => digits.length >= 4, 2000, "four digits");
    await delay(100);
    assert.deepEqual(
      digits.map((d) => d.digit),
      ["1", "5", "#", "9"],
    );
    for (const d of digits) assert.equal(d.durationMs, 80);
    assert.equal(b.stats().dtmfDigitsReceived, 4);
    assert.equal(a.stats().dtmfDigitsSent, 4);
    a.close();
    b.close();
  });

  test("frames() delivers received audio and drops the oldest when the reader lags", async () => {
    const { a, b } = await sessionPair(allocator, "PCMU/8000", { frameQueueFrames: 5 });
    open.push(a, b);
    const iterator = b.frames()[Symbol.asyncIterator]();
    a.play(speechLikeFrames(0.6, 16000));
    const first = await iterator.next();
    assert.equal(first.done, false);
    await delay(400); // not reading: the 5-frame queue overflows
    assert.ok(b.stats().framesDropped > 0, "overflow counted");
    b.close();
    // After close the queued frames drain, then the iteration ends.
    let drained = 0;
    for (;;) {
      const r = await iterator.next();
      if (r.done === true) break;
      drained++;
    }
    assert.ok(drained <= 5);
    a.close();
  });

  test("RTCP: reports flow both ways over SRTCP and give an RTT", async () => {
    const { a, b } = await sessionPair(allocator, "PCMU/8000", { rtcpIntervalMs: 200 });
    open.push(a, b);
    await waitFor(() => a.stats().roundTripTimeMs !== undefined, 5000, "an RTT at A");
    const s = a.stats();
    assert.ok(s.rtcpSent > 0 && s.rtcpReceived > 0);
    assert.ok((s.roundTripTimeMs ?? 99) < 50, `loopback RTT ${s.roundTripTimeMs} ms`);
    assert.equal(s.rtcpMalformed, 0);
    assert.equal(b.stats().srtpAuthFailures, 0);
    let byes = 0;
    b.on("remoteBye", () => byes++);
    a.close();
    await waitFor(() => byes === 1, 2000, "BYE at B");
    b.close();
  });

  test("rtcp-mux: RTP and RTCP share one port", async () => {
    const { a, b, negotiated } = await sessionPair(allocator, "PCMU/8000", {
      rtcpIntervalMs: 200,
      rtcpMux: true,
    });
    open.push(a, b);
    assert.equal(negotiated.offerer.rtcpMux, true);
    await waitFor(() => a.stats().rtcpReceived > 0 && b.stats().rtcpReceived > 0, 5000, "muxed RTCP");
    assert.equal(a.stats().malformed + b.stats().malformed, 0);
    a.close();
    b.close();
  });
});
