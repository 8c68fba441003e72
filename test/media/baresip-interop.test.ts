/**
 * Issue 4 acceptance: our media engine interoperates with baresip over SRTP (SDES, srtp-mand), for
 * PCMU, Opus and G.722 (when baresip's g722 module is installed). baresip (a local account) dials our
 * SipUserAgent directly over UDP on 127.0.0.1; we answer with answerOffer (SRTP mandatory) and a
 * MediaSession at the default 16 kHz pipeline rate, play a flite sentence, and record what baresip
 * sends from its own flite source WAV. After the hang-up both directions are transcribed with
 * pocketsphinx (8 kHz audio through the test bed's narrowband recipe) and must share at least 60% of
 * the words with the sentence spoken. Transcripts and scores are printed.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import {
  type AudioFrame,
  answerOffer,
  createLocalOrigin,
  MediaSession,
  parseSdp,
  type RtpPortAllocator,
  serializeSdp,
} from "../../src/media/index.js";
import type { SipSession, SipUserAgent } from "../../src/sip/index.js";
import { readWavFile, writeMonoWavFile } from "../../src/store/index.js";
import {
  BARESIP_MODULE_DIR,
  type BaresipInstance,
  durationS,
  pad,
  requireTools,
  resample,
  synthesize,
  TestBed,
  transcribeBest,
  wordOverlap,
} from "../bed/index.js";
import { nextEvent, udpAgent } from "../sip/ua-helpers.js";
import {
  capabilities,
  concatFrames,
  delay,
  runtimePortAllocator,
  segmentedCorrelation,
  toFrames,
} from "./media-test-helpers.js";

interface InteropCase {
  /** Codec as our capabilities name it. */
  readonly spec: string;
  /** Codec as baresip's audio_codecs names it. */
  readonly baresipCodec: string;
  /** baresip's aufile source must match the codec's rate and channels (Opus: 48 kHz stereo). */
  readonly sourceRateHz: 8000 | 16000 | 48000;
  readonly sourceChannels: 1 | 2;
  /** Whether what we receive is narrowband (transcribed through the 8 kHz recipe). */
  readonly narrowband: boolean;
  /** Waveform codecs: what we receive must correlate with what baresip encoded. */
  readonly minCorrelation?: number;
  readonly skip?: string | false;
}

const cases: readonly InteropCase[] = [
  {
    spec: "PCMU/8000",
    baresipCodec: "PCMU",
    sourceRateHz: 8000,
    sourceChannels: 1,
    narrowband: true,
    minCorrelation: 0.9,
  },
  {
    spec: "opus/48000/2",
    baresipCodec: "opus/48000/2",
    sourceRateHz: 48000,
    sourceChannels: 2,
    narrowband: false,
  },
  {
    spec: "G722/8000",
    baresipCodec: "G722",
    sourceRateHz: 16000,
    sourceChannels: 1,
    narrowband: false,
    minCorrelation: 0.8,
    skip: !existsSync(join(BARESIP_MODULE_DIR, "g722.so")) && "baresip's g722 module is not installed",
  },
];

/** What our side says (baresip records it) and what baresip's source says (we record it). */
const agentSentence = "the weather today is sunny and warm";
// pocketsphinx's 8 kHz recipe recognises this one reliably after G.711 (others drop below 50%).
const callerSentence = "my account number is one two three four five";
const minOverlap = 0.6;
const run = promisify(execFile);
const callerPadBeforeS = 1;

describe("media interop with baresip over SRTP (SDES)", { timeout: 420_000 }, () => {
  let bed: TestBed;
  let ua: SipUserAgent;
  let uaPort: number;
  let allocator: RtpPortAllocator;
  let agentFrames16k: AudioFrame[];
  const open: MediaSession[] = [];

  before(async () => {
    requireTools(["baresip", "flite", "sox", "soxi", "pocketsphinx_continuous"]);
    bed = new TestBed("ringagent-interop-");
    allocator = await runtimePortAllocator();
    const created = await udpAgent("agent");
    ua = created.ua;
    uaPort = created.port;
    const work = await bed.path("speech");
    // flite's slt voice speaks at 16 kHz: our side plays it at the pipeline rate.
    const raw = await synthesize(agentSentence, join(work, "agent-raw.wav"));
    const wav = await readWavFile(await resample(raw, join(work, "agent-16k.wav"), 16000));
    agentFrames16k = toFrames(padToFrames(wav.samples, 16000), 16000);
  });

  after(async () => {
    for (const media of open) media.close();
    await ua?.stop({ unregisterTimeoutMs: 100 });
    await bed?.close();
  });

  for (const c of cases) {
    test(`${c.spec}: SRTP both ways, speech transcribed in each direction`, { skip: c.skip }, async () => {
      const name = c.baresipCodec.split("/")[0] ?? c.baresipCodec;
      const work = await bed.path(`call-${name}`);
      // baresip ends the call when its source ends: pad well past the time we hang up.
      const spoken = await synthesize(callerSentence, join(work, "caller-raw.wav"));
      const atRate = join(work, "caller-rate.wav");
      await run("sox", [
        spoken,
        "-r",
        String(c.sourceRateHz),
        "-c",
        String(c.sourceChannels),
        "-b",
        "16",
        atRate,
      ]);
      const callerSpeechS = await durationS(atRate);
      const sourceWav = await pad(atRate, join(work, "caller.wav"), callerPadBeforeS, 20);
      const baresip: BaresipInstance = await bed.baresip({
        name: `caller-${name}`,
        account: { kind: "local", user: "caller" },
        sourceWav,
        mediaEncryption: "srtp-mand",
        audioCodecs: [c.baresipCodec],
        wideband: !c.narrowband,
      });

      // baresip dials our UA; we answer its SRTP offer with our own SDP model.
      const incoming = nextEvent<[SipSession]>(ua, "incomingCall", 20_000);
      await baresip.ctrl.dial(`sip:agent@127.0.0.1:${uaPort}`);
      const [session] = await incoming;
      const offerText = session.remoteOffer?.body.toString("utf8") ?? "";
      const offer = parseSdp(offerText);
      assert.ok(offer.ok, "baresip's offer parses");
      assert.match(offerText, /RTP\/SAVP/, "baresip offers SRTP (srtp-mand)");
      const media = await MediaSession.open({ allocator, address: "127.0.0.1" });
      open.push(media);
      const answered = answerOffer({
        offer: offer.sdp,
        capabilities: {
          ...capabilities(c.spec, media.localPort, true),
          cryptoSuites: ["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32"],
        },
        origin: createLocalOrigin("1", "127.0.0.1"),
      });
      if (!answered.ok) {
        session.reject(488);
        assert.fail(`our answer to baresip's offer failed: ${answered.reason}`);
      }
      assert.ok(answered.negotiated.srtp !== undefined, "SRTP negotiated");
      assert.equal(answered.negotiated.codec.name.toLowerCase(), name.toLowerCase());
      media.configure(answered.negotiated);
      const received: AudioFrame[] = [];
      media.on("frame", (frame) => received.push(frame));
      const confirmed = nextEvent(session, "confirmed", 20_000);
      session.accept(serializeSdp(answered.answer));
      await confirmed;
      await baresip.ctrl.waitForEvent("CALL_ESTABLISHED", { timeoutMs: 20_000 });
      const establishedAtMs = Date.now();

      // Our sentence after a short pause (baresip's recorder starts with the call).
      await delay(500);
      const played = media.play(agentFrames16k);
      const result = await Promise.race([
        played.finished,
        delay(30_000).then(() => assert.fail("our utterance did not finish within 30 s")),
      ]);
      assert.equal(result.reason, "completed");
      // Let baresip's sentence (after its 1 s pad) reach us, plus the jitter buffer and a margin.
      const heardAllMs = establishedAtMs + (callerPadBeforeS + callerSpeechS + 1.5) * 1000;
      await delay(Math.max(1000, heardAllMs - Date.now()));

      const from = baresip.ctrl.events().length;
      await session.bye();
      const stats = media.stats();
      media.close();
      await baresip.ctrl
        .waitForEvent("CALL_CLOSED", { timeoutMs: 10_000, fromIndex: from })
        .catch(() => undefined);
      await baresip.stop();

      // What baresip received from us (its sndfile recording), and what we received from it.
      const recordings = await baresip.recordings();
      const baresipHeard = recordings.received.at(-1);
      assert.ok(baresipHeard !== undefined, "baresip recorded the received audio");
      const weHeard16k = join(work, "we-heard-16k.wav");
      await writeMonoWavFile(weHeard16k, concatFrames(received), 16000);
      // Narrowband audio goes to pocketsphinx through the 8 kHz recipe (test/bed/speech.ts).
      const weHeard = c.narrowband
        ? await resample(weHeard16k, join(work, "we-heard-8k.wav"), 8000)
        : weHeard16k;
      const baresipSent = recordings.sent.at(-1);
      assert.ok(baresipSent !== undefined, "baresip recorded what it encoded");
      const [baresipTranscript, ourTranscript, referenceTranscript] = await Promise.all([
        transcribeBest(baresipHeard, work, agentSentence).then((r) => r.transcript),
        transcribeBest(weHeard, work, callerSentence).then((r) => r.transcript),
        transcribeBest(baresipSent, work, callerSentence).then((r) => r.transcript),
      ]);
      // Waveform match of baresip's speech (its encoder input) against what we received.
      const ourRateHz = c.narrowband ? 8000 : 16000;
      const sentAtOurRate = await readWavFile(
        await resample(baresipSent, join(work, "baresip-sent.wav"), ourRateHz),
      );
      const speechStart = Math.round((callerPadBeforeS - 0.1) * ourRateHz);
      const speech = sentAtOurRate.samples.subarray(
        speechStart,
        speechStart + Math.round((callerSpeechS + 0.1) * ourRateHz),
      );
      const weHeardSamples = (await readWavFile(weHeard)).samples;
      const correlation = segmentedCorrelation(speech, weHeardSamples, ourRateHz);
      const toBaresip = wordOverlap(agentSentence, baresipTranscript);
      const toUs = wordOverlap(callerSentence, ourTranscript);
      console.log(
        [
          `${c.spec} over SRTP (${answered.negotiated.srtp.suite}):`,
          `  ringagent -> baresip: "${baresipTranscript}" (overlap ${toBaresip.toFixed(2)})`,
          `  baresip -> ringagent: "${ourTranscript}" (overlap ${toUs.toFixed(2)}; baresip's own encoder input: "${referenceTranscript}")`,
          c.minCorrelation === undefined
            ? "  (Opus is not waveform-matching: no correlation check)"
            : `  baresip -> ringagent waveform correlation with baresip's encoder input: ${correlation.toFixed(3)}`,
          `  our stats: sent ${stats.packetsSent}, received ${stats.packetsReceived}, lost ${stats.packetsLost}, ` +
            `auth failures ${stats.srtpAuthFailures}, concealed ${stats.concealed}, rtcp in ${stats.rtcpReceived}`,
        ].join("\n"),
      );
      assert.equal(stats.srtpAuthFailures, 0, "every SRTP packet from baresip authenticated");
      assert.ok(stats.packetsReceived > 50, "we received baresip's RTP");
      assert.ok(stats.packetsSent > 50, "we sent RTP");
      assert.ok(toBaresip >= minOverlap, `baresip heard us: overlap ${toBaresip.toFixed(2)}`);
      assert.ok(toUs >= minOverlap, `we heard baresip: overlap ${toUs.toFixed(2)}`);
      if (c.minCorrelation !== undefined) {
        assert.ok(correlation >= c.minCorrelation, `received audio correlation ${correlation.toFixed(3)}`);
      }
    });
  }
});

/** Pads with silence to whole 20 ms frames. */
function padToFrames(samples: Int16Array, sampleRateHz: number): Int16Array {
  const size = sampleRateHz / 50;
  const out = new Int16Array(Math.ceil(samples.length / size) * size);
  out.set(samples);
  return out;
}
