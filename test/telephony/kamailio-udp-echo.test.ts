/**
 * Issue 5 acceptance, real peers: the `echo` agent on a `sip-account` line registered at Kamailio
 * over UDP, plain RTP.
 *  - baresip (UDP, plain RTP, PCMU) calls and plays a flite sentence: its recording of what it
 *    received correlates with what it sent once aligned on the echo delay (~200 ms + transit);
 *  - SIPp calls through Kamailio and streams a u-law WAV with rtp_stream (SIPp cannot record, so
 *    only the flow is checked): our media stats show RTP in and out, and SIPp's BYE ends the call.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { runEchoAgent } from "../../src/agent/diagnostic/echo-agent.js";
import type { Call } from "../../src/telephony/index.js";
import {
  type BaresipInstance,
  bedSentences,
  type KamailioInstance,
  requireTools,
  speechWav,
  TestBed,
} from "../bed/index.js";
import {
  type AgentLine,
  delay,
  dialFrom,
  kamailioAccount,
  mediaPackets,
  nextCall,
  startAgentLine,
  wavSamples,
} from "./peer-helpers.js";
import { bestLag, windowedCorrelation } from "./signal-helpers.js";

const run = promisify(execFile);
const echoDelayMs = 200;

describe("echo agent through Kamailio over UDP, plain RTP", { timeout: 180_000 }, () => {
  let bed: TestBed;
  let kamailio: KamailioInstance;
  let line: AgentLine;
  let alice: BaresipInstance;
  let media: string;

  before(async () => {
    requireTools(["kamailio", "baresip", "sipp", "sox", "flite"]);
    bed = new TestBed();
    kamailio = await bed.kamailio();
    media = await bed.path("media");
    line = await startAgentLine({
      kamailio,
      transport: "udp",
      srtp: "off",
      rtpPortMin: 46_400,
      handler: (call) => runEchoAgent(call, { delayMs: echoDelayMs }),
    });
    const sentence = (await bedSentences())[0] ?? "";
    const source = await speechWav(sentence, join(media, "caller-8k.wav"), {
      rateHz: 8000,
      padBeforeS: 0.5,
      padAfterS: 30,
    });
    alice = await bed.baresip({
      name: "alice",
      sourceWav: source,
      audioCodecs: ["PCMU"],
      wideband: false,
      account: kamailioAccount(kamailio, "alice", "udp"),
    });
    await alice.waitRegistered(20_000);
  });

  after(async () => {
    await line?.telephony.close();
    await bed?.close();
  });

  test("baresip caller (UDP, plain RTP): its received recording correlates with its source", async () => {
    const callP = nextCall(line.telephony);
    const from = await dialFrom(alice, `sip:agent@127.0.0.1:${kamailio.sipPort}`);
    const call = await callP;
    await alice.ctrl.waitForEvent("CALL_ESTABLISHED", { timeoutMs: 20_000, fromIndex: from });
    await delay(5_000);
    assert.equal(call.state, "active");
    const packets = mediaPackets(call);
    await alice.ctrl.hangup();
    assert.deepEqual(await call.ended, { kind: "caller_hung_up" });
    await alice.ctrl.waitForEvent("CALL_CLOSED", { timeoutMs: 10_000, fromIndex: from });

    const recordings = await alice.recordings();
    const sentPath = recordings.sent.at(-1);
    const receivedPath = recordings.received.at(-1);
    assert.ok(sentPath && receivedPath, "baresip recorded both directions");
    const sent = await wavSamples(sentPath);
    const received = await wavSamples(receivedPath);
    assert.equal(sent.rateHz, received.rateHz);
    // The files start when each stream starts: search the lag both ways.
    const forward = bestLag(sent.samples, received.samples, sent.rateHz, 1500);
    const backward = bestLag(received.samples, sent.samples, sent.rateHz, 1500);
    const best =
      forward.correlation >= backward.correlation ? forward : { ...backward, lagMs: -backward.lagMs };
    // baresip's adaptive jitter buffer shifts playout by a few ms mid-call: also match per window.
    const windowed =
      best.lagMs >= 0
        ? windowedCorrelation(sent.samples, received.samples, sent.rateHz, { lagMs: best.lagMs })
        : windowedCorrelation(received.samples, sent.samples, sent.rateHz, { lagMs: -best.lagMs });
    console.log(
      `udp echo (baresip): whole-file correlation ${best.correlation.toFixed(3)} at ${best.lagMs.toFixed(1)} ms ` +
        `(file offset included); per 200 ms window ${windowed.correlation.toFixed(3)} over ` +
        `${windowed.windows} voiced windows; packets in ${packets.in} out ${packets.out}`,
    );
    assert.ok(best.lagMs > 100 && best.lagMs < 600, `echo lag ${best.lagMs} ms`);
    assert.ok(windowed.windows >= 5, "the sentence has voiced windows");
    assert.ok(windowed.correlation > 0.7, `windowed correlation ${windowed.correlation.toFixed(3)}`);
    assert.ok(packets.in > 150 && packets.out > 150, JSON.stringify(packets));
  });

  test("SIPp caller through Kamailio (rtp_stream of a u-law WAV): RTP flows both ways", async () => {
    const wav = join(media, "tone-3s-ulaw.wav");
    await run("sox", ["-n", "-r", "8000", "-c", "1", "-e", "u-law", wav, "synth", "3", "sine", "440"]);
    const callP = nextCall(line.telephony);
    const sipp = bed.sipp({
      scenario: join(import.meta.dirname, "sipp", "uac_stream_routed.xml"),
      name: "echo-via-kamailio",
      remote: `127.0.0.1:${kamailio.sipPort}`,
      service: "agent",
      placeholders: { ULAW_WAV: wav, PAUSE_MS: "3500" },
      timeoutMs: 30_000,
    });
    const call: Call = await callP;
    let last = mediaPackets(call);
    const sampler = setInterval(() => {
      if (call.state !== "ended") last = mediaPackets(call);
    }, 100);
    const result = await sipp;
    clearInterval(sampler);
    assert.equal(result.code, 0, result.output.slice(-1500));
    assert.deepEqual(await call.ended, { kind: "caller_hung_up" });
    console.log(`udp echo (SIPp via Kamailio): packets in ${last.in} out ${last.out}`);
    // 3 s of 20 ms packets streamed = 150 in; the echo sends for the whole call.
    assert.ok(last.in >= 120, `packets in ${last.in}`);
    assert.ok(last.out >= 120, `packets out ${last.out}`);
  });
});
