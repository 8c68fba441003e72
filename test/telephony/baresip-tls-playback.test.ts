/**
 * Issue 5 acceptance, real peers: baresip (registered over TLS, SRTP mandatory, PCMU) calls our
 * `sip-account` line registered at Kamailio over TLS; the `playback` agent answers.
 *  - the call is answered and stays up; baresip's recording of our WAV transcribes to most of its
 *    words; our recording of baresip's flite speech likewise (pocketsphinx, narrowband recipe);
 *    baresip hangs up and we report `caller_hung_up`;
 *  - the same with us hanging up: baresip gets CALL_CLOSED, we report `agent_hung_up`.
 */
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runPlaybackAgent } from "../../src/agent/diagnostic/playback-agent.js";
import type { Call } from "../../src/telephony/index.js";
import {
  type BaresipInstance,
  bedSentences,
  durationS,
  type KamailioInstance,
  requireTools,
  resample,
  speechWav,
  TestBed,
  transcribeBest,
  wordOverlap,
} from "../bed/index.js";
import {
  type AgentLine,
  delay,
  dialFrom,
  kamailioAccount,
  nextCall,
  startAgentLine,
} from "./peer-helpers.js";

describe("baresip -> Kamailio (TLS) -> our UA, SRTP mandatory, playback agent", { timeout: 240_000 }, () => {
  let bed: TestBed;
  let kamailio: KamailioInstance;
  let line: AgentLine;
  let alice: BaresipInstance;
  let agentSentence: string;
  let callerSentence: string;
  let recordDir: string;
  let media: string;

  before(async () => {
    requireTools(["kamailio", "baresip", "sox", "soxi", "flite", "pocketsphinx_continuous", "openssl"]);
    bed = new TestBed();
    kamailio = await bed.kamailio({ tls: true });
    const sentences = await bedSentences();
    // "the weather today is sunny and warm" / "my account number is one two three four five": the
    // two bed sentences pocketsphinx recognises best through a G.711 round trip (0.6-1.0 and 0.9).
    agentSentence = sentences[2] ?? "";
    callerSentence = sentences[3] ?? "";
    media = await bed.path("media");
    recordDir = await bed.path("agent-recordings");
    const agentWav = await speechWav(agentSentence, join(media, "agent-16k.wav"), {
      rateHz: 16000,
      padBeforeS: 0.3,
      padAfterS: 1,
    });
    // The caller's source must outlast the call: baresip hangs up when its file ends.
    const callerWav = await speechWav(callerSentence, join(media, "caller-8k.wav"), {
      rateHz: 8000,
      padBeforeS: 1,
      padAfterS: 30,
    });
    const certs = await bed.certs();
    line = await startAgentLine({
      kamailio,
      transport: "tls",
      srtp: "mandatory",
      caFile: certs.caPem,
      rtpPortMin: 46_000,
      handler: (call) => runPlaybackAgent(call, { file: agentWav, recordDir, hangupAfterPlay: false }),
    });
    alice = await bed.baresip({
      name: "alice",
      sourceWav: callerWav,
      certs,
      mediaEncryption: "srtp-mand",
      audioCodecs: ["PCMU"],
      wideband: false,
      account: kamailioAccount(kamailio, "alice", "tls"),
    });
    await alice.waitRegistered(20_000);
  });

  after(async () => {
    await line?.telephony.close();
    await bed?.close();
  });

  async function placeCall(): Promise<{ call: Call; from: number }> {
    const callP = nextCall(line.telephony);
    const from = await dialFrom(alice, `sip:agent@127.0.0.1:${kamailio.tlsPort}`);
    const call = await callP;
    const menc = await alice.ctrl.waitForEvent("CALL_MENC", { timeoutMs: 20_000, fromIndex: from });
    assert.match(menc.param, /AES_CM_128_HMAC_SHA1_(80|32)/, `SRTP negotiated: ${menc.param}`);
    await alice.ctrl.waitForEvent("CALL_ESTABLISHED", { timeoutMs: 20_000, fromIndex: from });
    // baresip reports ESTABLISHED when it sends its ACK; our call turns active when the ACK arrives.
    const deadline = Date.now() + 5_000;
    while (call.state === "answering" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(call.state, "active");
    return { call, from };
  }

  test("answered, stays up, speech both ways intelligible; baresip hangs up -> caller_hung_up", async () => {
    const { call, from } = await placeCall();
    // Long enough for the caller's sentence (1 s pad + ~2.5 s) and a full loop of ours.
    await delay(7_000);
    assert.equal(call.state, "active", "the call stays up");
    await alice.ctrl.hangup();
    assert.deepEqual(await call.ended, { kind: "caller_hung_up" });
    await alice.ctrl.waitForEvent("CALL_CLOSED", { timeoutMs: 10_000, fromIndex: from });

    // What baresip received from us (PCMU over SRTP), transcribed with the narrowband recipe.
    const heardByCaller = (await alice.recordings()).received.at(-1);
    assert.ok(heardByCaller, "baresip recorded what it received");
    const { transcript: callerTranscript } = await transcribeBest(heardByCaller, media, agentSentence);
    const callerScore = wordOverlap(agentSentence, callerTranscript);

    // What we recorded from baresip: 16 kHz frames of narrowband audio -> 8 kHz -> the same recipe.
    const ours = (await readdir(recordDir)).find((n) => n.startsWith(call.id));
    assert.ok(ours, "the playback agent recorded the caller");
    const ours8k = await resample(join(recordDir, ours), join(media, "ours-8k.wav"), 8000);
    const { transcript: agentTranscript } = await transcribeBest(ours8k, media, callerSentence);
    const agentScore = wordOverlap(callerSentence, agentTranscript);
    console.log(
      `tls playback: caller heard "${callerTranscript}" (${callerScore.toFixed(2)} of "${agentSentence}", ` +
        `${(await durationS(heardByCaller)).toFixed(1)} s); agent heard "${agentTranscript}" ` +
        `(${agentScore.toFixed(2)} of "${callerSentence}", ${(await durationS(ours8k)).toFixed(1)} s)`,
    );
    assert.ok(callerScore >= 0.6, `baresip heard "${callerTranscript}"`);
    assert.ok(agentScore >= 0.6, `we heard "${agentTranscript}"`);
  });

  test("we hang up: baresip gets CALL_CLOSED, we report agent_hung_up", async () => {
    const { call, from } = await placeCall();
    await delay(1_500);
    assert.equal(call.state, "active");
    await call.hangup();
    assert.deepEqual(await call.ended, { kind: "agent_hung_up" });
    await alice.ctrl.waitForEvent("CALL_CLOSED", { timeoutMs: 10_000, fromIndex: from });
    assert.equal(line.telephony.manager.activeCalls, 0);
    assert.equal(line.telephony.media.openSessions, 0);
  });
});
