/**
 * Acceptance of the real-peer test bed (issue 2):
 *  - baresip A calls baresip B through Kamailio over TLS with mandatory SRTP, both registered over
 *    TLS with digest auth; A plays a flite sentence as 8 kHz PCMU, B records; B's recording
 *    transcribed with pocketsphinx (narrowband recipe) contains most of the sentence's words.
 *  - SIPp REGISTER with digest auth to Kamailio succeeds over UDP and TCP.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  allocPorts,
  bedSentences,
  durationS,
  isBandLimited,
  isPortFree,
  type KamailioInstance,
  ProcessRegistry,
  parseSippStats,
  requireTools,
  resample,
  silenceWav,
  speechWav,
  TestBed,
  toUlawWav,
  transcribe,
  wordOverlap,
} from "./bed/index.js";

describe("test bed smoke", { timeout: 240_000 }, () => {
  let bed: TestBed;
  let kamailio: KamailioInstance;

  before(async () => {
    requireTools();
    bed = new TestBed();
    kamailio = await bed.kamailio({ tls: true });
  });

  after(async () => {
    await bed?.close();
  });

  test("baresip → Kamailio (TLS, SRTP mandatory) → baresip carries intelligible speech", {
    timeout: 60_000,
  }, async () => {
    const startedMs = Date.now();
    // "the weather today is sunny and warm": recognised at 86% through G.711 with every flite voice.
    const sentence = (await bedSentences())[2] ?? "";
    assert.ok(sentence.length > 0, "sentences.txt has a third sentence");
    const media = await bed.path("media");
    const speech = await speechWav(sentence, `${media}/speech-8k.wav`, {
      rateHz: 8000,
      padBeforeS: 0.5,
      padAfterS: 2,
    });
    const silence = await silenceWav(`${media}/silence-8k.wav`, 120, 8000);
    const certs = await bed.certs();
    const domain = `${kamailio.host}:${kamailio.tlsPort}`;
    const common = { certs, mediaEncryption: "srtp-mand", audioCodecs: ["PCMU"] } as const;
    const [a, b] = await Promise.all([
      bed.baresip({
        ...common,
        name: "a",
        sourceWav: speech,
        account: { kind: "register", user: "alice", password: "alicepw", domain, transport: "tls" },
      }),
      bed.baresip({
        ...common,
        name: "b",
        sourceWav: silence,
        account: { kind: "register", user: "bob", password: "bobpw", domain, transport: "tls" },
      }),
    ]);
    await Promise.all([a.waitRegistered(20_000), b.waitRegistered(20_000)]);
    const registeredMs = Date.now();

    await a.ctrl.dial(`sip:bob@${domain}`);
    const menc = await b.ctrl.waitForEvent("CALL_MENC", { timeoutMs: 20_000 });
    assert.match(menc.param, /AES_CM_128_HMAC_SHA1_80|AES_CM_128_HMAC_SHA1_32|AEAD/, "B negotiated SRTP");
    await a.ctrl.waitForEvent("CALL_ESTABLISHED", { timeoutMs: 20_000 });
    await b.ctrl.waitForEvent("CALL_ESTABLISHED", { timeoutMs: 20_000 });
    const establishedMs = Date.now();
    // A's source ends after the padded sentence and A hangs up ("end of file"); B sees the BYE.
    await b.ctrl.waitForEvent("CALL_CLOSED", { timeoutMs: 30_000 });
    const closedMs = Date.now();

    const { received } = await b.recordings();
    const recording = received.at(-1);
    assert.ok(recording, "B wrote a received-audio recording");
    const seconds = await durationS(recording);
    assert.ok(seconds > 1, `B's recording has audio (${seconds} s)`);
    const transcript = await transcribe(recording, media);
    const score = wordOverlap(sentence, transcript);
    console.log(
      `bed smoke: sentence="${sentence}" transcript="${transcript}" score=${score.toFixed(2)} ` +
        `recording=${seconds.toFixed(2)}s setup=${registeredMs - startedMs}ms ` +
        `call=${closedMs - establishedMs}ms stt=${Date.now() - closedMs}ms total=${Date.now() - startedMs}ms`,
    );
    assert.ok(score >= 0.6, `transcript "${transcript}" has ${Math.round(score * 100)}% of the words`);
  });

  for (const transport of ["udp", "tcp"] as const) {
    test(`SIPp REGISTER with digest auth over ${transport.toUpperCase()}`, { timeout: 60_000 }, async () => {
      const result = await bed.sipp({
        scenario: "register_auth.xml",
        name: `register-${transport}`,
        remote: `${kamailio.host}:${kamailio.sipPort}`,
        transport,
        service: "carol",
        auth: { user: "carol", password: "carolpw" },
        calls: 1,
        timeoutMs: 30_000,
      });
      assert.equal(result.code, 0, `sipp exit ${result.code}\n${result.output.slice(-2000)}`);
      assert.equal(result.stats?.successful, 1);
      assert.equal(result.stats?.failed, 0);
    });
  }

  test("SIPp UAC streams a u-law WAV to a local baresip account that records it", {
    timeout: 60_000,
  }, async () => {
    const sentence = (await bedSentences())[3] ?? "";
    const media = await bed.path("media-sipp");
    const speech = await speechWav(sentence, `${media}/speech-8k.wav`, { rateHz: 8000, padAfterS: 1 });
    const ulaw = await toUlawWav(speech, `${media}/speech-ulaw.wav`);
    const callee = await bed.baresip({
      name: "sipp-callee",
      sourceWav: await silenceWav(`${media}/silence-8k.wav`, 60, 8000),
      audioCodecs: ["PCMU"],
      account: { kind: "local", user: "bob" },
    });
    const result = await bed.sipp({
      scenario: "uac_rtpstream.xml",
      placeholders: { ULAW_WAV: ulaw },
      remote: `127.0.0.1:${callee.sipPort}`,
      service: "bob",
      timeoutMs: 30_000,
    });
    assert.equal(result.code, 0, `sipp exit ${result.code}\n${result.output.slice(-2000)}`);
    assert.equal(result.stats?.successful, 1);
    await callee.ctrl.waitForEvent("CALL_CLOSED", { timeoutMs: 10_000 });
    const recording = (await callee.recordings()).received.at(-1);
    assert.ok(recording, "the callee recorded what SIPp sent");
    const transcript = await transcribe(recording, media);
    const score = wordOverlap(sentence, transcript);
    console.log(`bed sipp media: transcript="${transcript}" score=${score.toFixed(2)}`);
    assert.ok(score >= 0.6, `transcript "${transcript}" has ${Math.round(score * 100)}% of the words`);
  });

  test("SIPp REGISTER with a wrong password is refused", { timeout: 60_000 }, async () => {
    const result = await bed.sipp({
      scenario: "register_auth.xml",
      name: "register-bad-password",
      remote: `${kamailio.host}:${kamailio.sipPort}`,
      transport: "udp",
      service: "carol",
      auth: { user: "carol", password: "wrong" },
      calls: 1,
      timeoutMs: 10_000,
    });
    assert.notEqual(result.code, 0);
    assert.equal(result.stats?.successful ?? 0, 0);
  });
});

describe("test bed library", () => {
  test("wordOverlap normalises case and punctuation and counts repeats once each", () => {
    assert.equal(wordOverlap("Hello, World!", "hello world"), 1);
    assert.equal(wordOverlap("one two three four", "one three"), 0.5);
    assert.equal(wordOverlap("the the cat", "the cat"), 2 / 3);
    assert.equal(wordOverlap("", "anything"), 1);
  });

  test("telephone-band audio in a 16 kHz file is detected and transcribed with the narrowband recipe", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bed-band-"));
    try {
      const sentence = "my account number is one two three four five";
      const wide = await speechWav(sentence, join(dir, "wide.wav"), { rateHz: 16000 });
      const narrow = await speechWav(sentence, join(dir, "narrow.wav"), { rateHz: 8000 });
      const upsampled = join(dir, "narrow-16k.wav");
      await resample(narrow, upsampled, 16000);
      assert.equal(await isBandLimited(wide), false);
      assert.equal(await isBandLimited(upsampled), true);
      const heard = await transcribe(upsampled, dir);
      assert.ok(wordOverlap(sentence, heard) >= 0.6, `heard "${heard}"`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("parseSippStats reads the last row of SIPp's statistics CSV", () => {
    const csv = "StartTime;SuccessfulCall(C);FailedCall(C);\n0;0;0;\n1;3;1;\n";
    const stats = parseSippStats(csv);
    assert.equal(stats?.successful, 3);
    assert.equal(stats?.failed, 1);
    assert.equal(parseSippStats(""), undefined);
  });

  test("allocPorts returns distinct blocks free for TCP and UDP", async () => {
    const first = await allocPorts({ count: 2 });
    const second = await allocPorts({ count: 2 });
    assert.ok(Math.abs(first - second) >= 2, `${first} and ${second} overlap`);
    for (const port of [first, first + 1, second, second + 1]) {
      assert.equal(await isPortFree(port, "tcp"), true);
      assert.equal(await isPortFree(port, "udp"), true);
    }
  });

  test("requireTools names the apt package of a missing binary", () => {
    assert.throws(() => requireTools(["definitely_not_installed_tool"]), /apt-get install/);
    assert.doesNotThrow(() => requireTools(["sox"]));
  });

  test("the process registry stops what it started, by PID", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ringagent-registry-"));
    const registry = new ProcessRegistry(dir);
    try {
      const child = registry.spawn({
        name: "sleeper",
        command: "sh",
        args: ["-c", "echo ready; exec sleep 60"],
      });
      await child.waitReady({ logLine: /ready/, timeoutMs: 10_000 });
      assert.equal(child.running, true);
      await registry.stopAll();
      assert.equal(child.running, false);
      assert.equal(child.exitInfo?.signal, "SIGTERM");
      assert.match(child.readLog(), /ready/);
    } finally {
      await registry.stopAll();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
