/**
 * Calls with real SIP user agents and real media sessions (UDP RTP/SRTP) on 127.0.0.1: one
 * CallManager runs the `echo` agent, another places calls to it, plays a signal and records what
 * comes back. The echo must correlate with the signal at a lag near the configured delay.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { runEchoAgent } from "../../src/agent/index.js";
import type { AudioFrame } from "../../src/media/index.js";
import { silentLogger } from "../../src/shared/index.js";
import { SipUserAgent } from "../../src/sip/index.js";
import { type Call, CallManager, defaultLinePolicy, SipLineAdapter } from "../../src/telephony/index.js";
import { RtpMediaFactory } from "../../src/telephony/rtp-media-factory.js";
import { bestLag } from "./signal-helpers.js";

const rateHz = 16000;

/** A chirp-like signal: tone bursts of changing pitch (distinct at every lag). */
export function testSignal(seconds: number): Int16Array {
  const out = new Int16Array(rateHz * seconds);
  for (let i = 0; i < out.length; i++) {
    const t = i / rateHz;
    const f = 300 + 250 * Math.floor(t * 5);
    out[i] = Math.round(8000 * Math.sin(2 * Math.PI * f * t) * (Math.floor(t * 10) % 3 === 2 ? 0 : 1));
  }
  return out;
}

function toFrames(samples: Int16Array): AudioFrame[] {
  const frames: AudioFrame[] = [];
  for (let i = 0; i + 320 <= samples.length; i += 320) {
    frames.push({ samples: samples.slice(i, i + 320), sampleRateHz: rateHz });
  }
  return frames;
}

async function agentOn(user: string): Promise<{ ua: SipUserAgent; uri: string }> {
  const ua = new SipUserAgent({
    listen: [{ protocol: "udp", host: "127.0.0.1", port: 0 }],
    account: { aor: `sip:${user}@127.0.0.1` },
    inbound: { allowAny: true },
  });
  const [local] = await ua.start();
  assert.ok(local);
  return { ua, uri: `sip:${user}@127.0.0.1:${local.port}` };
}

/** Plays `signal` into the call and records what comes back for the same time plus `extraMs`. */
async function playAndRecord(call: Call, signal: Int16Array, extraMs: number): Promise<Int16Array> {
  const recorded: Int16Array[] = [];
  const wanted = Math.ceil((signal.length / rateHz) * 50 + extraMs / 20);
  const reading = (async () => {
    for await (const frame of call.audio.frames()) {
      recorded.push(frame.samples);
      if (recorded.length >= wanted) return;
    }
  })();
  call.audio.play(toFrames(signal));
  await reading;
  const out = new Int16Array(recorded.length * 320);
  recorded.forEach((f, i) => {
    out.set(f.subarray(0, 320), i * 320);
  });
  return out;
}

for (const srtp of ["off", "mandatory"] as const) {
  describe(`echo agent over real media (srtp ${srtp})`, { timeout: 60_000 }, () => {
    let echoSide: { ua: SipUserAgent; uri: string };
    let callerSide: { ua: SipUserAgent; uri: string };
    let echoMedia: RtpMediaFactory;
    let callerMedia: RtpMediaFactory;
    let echoManager: CallManager;
    let callerManager: CallManager;

    before(async () => {
      echoSide = await agentOn("echo");
      callerSide = await agentOn("caller");
      echoMedia = new RtpMediaFactory({
        portRange: { minPort: 41_000, maxPort: 41_998 },
        bindAddress: "127.0.0.1",
      });
      callerMedia = new RtpMediaFactory({
        portRange: { minPort: 42_000, maxPort: 42_998 },
        bindAddress: "127.0.0.1",
      });
      const policy = { ...defaultLinePolicy, codecs: ["PCMU"], srtp };
      echoManager = new CallManager({ media: echoMedia, logger: silentLogger() });
      echoManager.addLine(new SipLineAdapter("echo", echoSide.ua), policy, (call) =>
        runEchoAgent(call, { delayMs: 200 }),
      );
      callerManager = new CallManager({ media: callerMedia, logger: silentLogger() });
      callerManager.addLine(new SipLineAdapter("caller", callerSide.ua), policy);
    });

    after(async () => {
      await callerManager?.close();
      await echoManager?.close();
      await callerSide?.ua.stop();
      await echoSide?.ua.stop();
    });

    test("what we send comes back ~200 ms later, correlated; everything released after", async () => {
      const outcome = await callerManager.call("caller", echoSide.uri);
      assert.equal(outcome.kind, "answered");
      if (outcome.kind !== "answered") return;
      const signal = testSignal(2);
      const recorded = await playAndRecord(outcome.call, signal, 600);
      const { lagMs, correlation } = bestLag(signal, recorded, rateHz, 1000);
      console.log(`echo (srtp ${srtp}): lag ${lagMs} ms, correlation ${correlation.toFixed(3)}`);
      assert.ok(correlation > 0.6, `correlation ${correlation}`);
      assert.ok(lagMs >= 180 && lagMs <= 600, `lag ${lagMs} ms`);
      await outcome.call.hangup();
      const deadline = Date.now() + 5000;
      while (echoManager.activeCalls > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      assert.equal(echoManager.activeCalls, 0);
      assert.equal(echoMedia.openSessions, 0);
      assert.equal(callerMedia.openSessions, 0);
      assert.equal(echoMedia.allocator.inUse, 0, "RTP ports returned");
    });
  });
}
