/**
 * Wire-to-wire latency and barge-in reaction of the whole agent (issue 6), over real SIP and RTP
 * on loopback. The service runs in-process (startRingagent, a `local` line); each simulated caller
 * is a SIP UA plus a raw RTP socket that sends PCMU every 20 ms: silence through the greeting, then
 * a spoken question (8 kHz WAV). It timestamps its own last voiced packet and the agent's first
 * voiced packet (wire-to-wire), then talks over the answer and timestamps when the agent's packets
 * go silent (barge-in reaction). Engines: the offline ones (pocketsphinx, script, flite) and
 * zero-latency fakes (what is left is endpointing + pipeline overhead). Prints p50/p95/p99.
 *   npx tsx bench/pipeline/wire-bench.ts [callsPerRound=3] [engines=both|offline|fake] [concurrency=1,20] [voicedRms=100] [--default-gc]
 * voicedRms: a packet at or above this RMS (PCM16) counts as voiced on the caller's side. Default 100,
 * the product's own voiced threshold (src/agent/conversation/pipeline-call-audio.ts, about -50 dBFS):
 * the question's quiet tail frame (RMS ~200 after "hours") is speech the agent's VAD hears, so a
 * higher threshold such as 300 would call an earlier packet "last voiced" and add one 20 ms frame
 * to every wire-to-wire figure. Runs with the service's runtime V8 flags (bench/runtime-flags.ts)
 * unless --default-gc is given.
 */
import { execFileSync } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configSchema } from "../../src/config/index.js";
import { startRingagent } from "../../src/main.js";
import {
  linearToUlaw,
  parseRtpPacket,
  parseSdp,
  processMediaPacer,
  serializeRtpPacket,
  ulawToLinear,
} from "../../src/media/index.js";
import { silentLogger } from "../../src/shared/index.js";
import { SipUserAgent } from "../../src/sip/index.js";
import { channelSamples, readWavFile } from "../../src/store/index.js";
import { peerOffer, sdpBody } from "../../src/telephony/index.js";
import { relaunchWithRuntimeFlags } from "../runtime-flags.js";
import { fakeProviders } from "./wire-fakes.js";
import {
  bargeStages,
  type CallerMarks,
  installWireTrace,
  registerCall,
  type Stages,
  turnStages,
  unregisterCall,
} from "./wire-trace.js";

const callsPerRound = Number(process.argv[2] ?? 3);
const engines = process.argv[3] ?? "both";
const concurrencies = (process.argv[4] ?? "1,20").split(",").map(Number);
const voicedRms = Number(process.argv[5] ?? 100);
const question = "what are your hours";

function rms(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += (samples[i] ?? 0) ** 2;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

interface CallFigures {
  /** The caller's ACK (media starts) -> the greeting's first voiced packet at the caller. */
  greetingMs: number | undefined;
  wireMs: number | undefined;
  bargeMs: number | undefined;
  turn: Stages | undefined;
  barge: Stages | undefined;
  jitterTargetMs: number | undefined;
  meanDepthMs: number | undefined;
  jitterMs: number | undefined;
  concealed: number | undefined;
}

/** One simulated caller: greeting, question, answer, barge-in, BYE. */
async function runCaller(agentUri: string, speech: Int16Array): Promise<CallFigures> {
  const rtp: Socket = createSocket("udp4");
  await new Promise<void>((resolve) => rtp.bind(0, "127.0.0.2", resolve));
  const port = rtp.address().port;
  const ua = new SipUserAgent({
    listen: [{ protocol: "udp", host: "127.0.0.1", port: 0 }],
    inbound: { allowAny: true },
  });
  await ua.start();
  let lastAgentVoicedAt = 0;
  let firstAgentVoicedAt = 0;
  let agentVoicedRun = 0;
  let agentSilentRun = 0;
  const onAgentPacket: Array<(voiced: boolean, atMs: number) => void> = [];
  rtp.on("message", (msg) => {
    const parsed = parseRtpPacket(msg);
    if (!parsed.ok || parsed.packet.payloadType !== 0) return;
    const pcm = Array.from(parsed.packet.payload, ulawToLinear);
    const voiced = rms(pcm) >= voicedRms;
    const atMs = performance.now();
    if (voiced) {
      if (firstAgentVoicedAt === 0) firstAgentVoicedAt = atMs;
      lastAgentVoicedAt = atMs;
      agentVoicedRun++;
      agentSilentRun = 0;
    } else {
      agentSilentRun++;
      agentVoicedRun = 0;
    }
    for (const listener of onAgentPacket) listener(voiced, atMs);
  });
  const figures: CallFigures = {
    greetingMs: undefined,
    wireMs: undefined,
    bargeMs: undefined,
    turn: undefined,
    barge: undefined,
    jitterTargetMs: undefined,
    meanDepthMs: undefined,
    jitterMs: undefined,
    concealed: undefined,
  };
  let ts = Math.floor(Math.random() * 2 ** 31);
  const trace = registerCall(ts, voicedRms);
  const marks: CallerMarks = {
    questionAt: 0,
    lastVoicedSentAt: 0,
    answerAt: undefined,
    bargeAt: 0,
    firstVoicedSentAt: 0,
    lastAgentVoicedAt: undefined,
    stoppedAt: undefined,
  };
  try {
    const session = await ua.invite(agentUri, { body: sdpBody(peerOffer({ port, codecs: ["PCMU/8000"] })) });
    const ackedAt = performance.now(); // the UA acknowledges the 2xx as it resolves: media starts
    const answer = parseSdp(session.remoteBody?.body.toString("utf8") ?? "");
    if (!answer.ok) throw new Error("no SDP answer");
    const media = answer.sdp.media[0];
    const host = media?.connection?.address ?? answer.sdp.connection?.address ?? "127.0.0.1";
    const remotePort = media?.port ?? 0;
    // The caller's microphone: a queue of 160-sample (20 ms) frames, silence when empty.
    const mic: Int16Array[] = [];
    let seq = Math.floor(Math.random() * 60000);
    const ssrc = Math.floor(Math.random() * 2 ** 31);
    let lastVoicedSentAt = 0;
    let firstVoicedSentAt = 0;
    const silence = new Int16Array(160);
    const start = performance.now();
    let tick = 0;
    let sending = true;
    const sendLoop = (async () => {
      while (sending) {
        const frame = mic.shift() ?? silence;
        const payload = new Uint8Array(160);
        for (let i = 0; i < 160; i++) payload[i] = linearToUlaw(frame[i] ?? 0);
        const packet = serializeRtpPacket({
          marker: false,
          payloadType: 0,
          sequenceNumber: seq & 0xffff,
          timestamp: ts >>> 0,
          ssrc,
          csrcs: [],
          payload,
          paddingBytes: 0,
        });
        seq++;
        ts += 160;
        rtp.send(packet, remotePort, host);
        if (rms(frame) >= voicedRms) {
          lastVoicedSentAt = performance.now();
          if (firstVoicedSentAt === 0) firstVoicedSentAt = lastVoicedSentAt;
        }
        tick++;
        const wait = start + tick * 20 - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    })();
    const until = async (cond: () => boolean, timeoutMs: number): Promise<boolean> => {
      const deadline = performance.now() + timeoutMs;
      while (!cond()) {
        if (performance.now() > deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return true;
    };
    // Greeting: heard, then 600 ms of quiet.
    await until(() => lastAgentVoicedAt > 0, 10_000);
    if (firstAgentVoicedAt > 0) figures.greetingMs = firstAgentVoicedAt - ackedAt;
    await until(() => performance.now() - lastAgentVoicedAt > 600, 15_000);
    marks.questionAt = performance.now();
    for (let i = 0; i + 160 <= speech.length; i += 160) mic.push(speech.subarray(i, i + 160));
    await until(() => mic.length === 0, 10_000);
    const spokeAt = lastVoicedSentAt;
    marks.lastVoicedSentAt = spokeAt;
    const answered = await until(() => lastAgentVoicedAt > spokeAt && agentVoicedRun >= 1, 20_000);
    if (answered) {
      figures.wireMs = lastAgentVoicedAt - spokeAt;
      marks.answerAt = lastAgentVoicedAt;
    }
    // Barge-in: 600 ms into the answer, talk over it; the reaction ends at the agent's 3rd silent packet.
    await until(() => performance.now() - (spokeAt + (figures.wireMs ?? 0)) > 600, 5000);
    if (answered) {
      firstVoicedSentAt = 0;
      marks.bargeAt = performance.now();
      for (let i = 0; i + 160 <= speech.length; i += 160) mic.push(speech.subarray(i, i + 160));
      let stoppedAt = 0;
      let lastVoicedHere = 0;
      const watch = (voiced: boolean, atMs: number): void => {
        if (voiced && stoppedAt === 0) lastVoicedHere = atMs;
        if (!voiced && agentSilentRun >= 3 && firstVoicedSentAt > 0 && stoppedAt === 0) stoppedAt = atMs - 40;
      };
      onAgentPacket.push(watch);
      await until(() => stoppedAt > 0, 5000);
      if (stoppedAt > 0 && firstVoicedSentAt > 0) {
        figures.bargeMs = stoppedAt - firstVoicedSentAt;
        marks.firstVoicedSentAt = firstVoicedSentAt;
        marks.stoppedAt = stoppedAt;
        marks.lastAgentVoicedAt = lastVoicedHere > 0 ? lastVoicedHere : undefined;
        figures.barge = bargeStages(trace, marks);
      }
    }
    if (answered) figures.turn = turnStages(trace, marks);
    const jb = trace.jitterStats();
    figures.jitterTargetMs = trace.inbound?.playout.marginMs;
    figures.meanDepthMs = trace.meanDepthMs(marks.questionAt, performance.now());
    figures.jitterMs = jb?.jitterMs;
    figures.concealed = jb?.concealed;
    sending = false;
    await sendLoop;
    await session.bye().catch(() => undefined);
  } finally {
    unregisterCall(trace);
    await ua.stop();
    rtp.close();
  }
  return figures;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function line(label: string, values: number[]): string {
  if (values.length === 0) return `${label}: no samples`;
  const f = (v: number): string => v.toFixed(0).padStart(5);
  return `${label}: n=${values.length} p50 ${f(percentile(values, 50))} p95 ${f(percentile(values, 95))} p99 ${f(percentile(values, 99))} ms`;
}

/** Per-stage p50/p95/p99 of cumulative stage times (ms after the stage table's reference). */
function printStages(title: string, perCall: Array<Stages | undefined>): void {
  const calls = perCall.filter((s): s is Stages => s !== undefined);
  const first = calls[0];
  if (first === undefined) return;
  console.log(`  stages, ${title} (n=${calls.length}; p50/p95/p99):`);
  for (const stage of Object.keys(first)) {
    const values = calls.map((c) => c[stage]).filter((v): v is number => v !== undefined);
    const f = (p: number): string => percentile(values, p).toFixed(0).padStart(5);
    const missing = calls.length - values.length;
    console.log(
      `    ${stage.padEnd(40)} ${f(50)} ${f(95)} ${f(99)}${missing > 0 ? `  (${missing} without)` : ""}`,
    );
  }
}

async function round(kind: "offline" | "fake", concurrency: number, speech: Int16Array): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "ringagent-wire-"));
  const sipPort = 40_000 + Math.floor(Math.random() * 5000);
  const config = configSchema.parse({
    lines: [
      {
        name: "bench",
        kind: "local",
        listen: [`udp:127.0.0.1:${sipPort}`],
        agent: "reception",
        srtp: "off",
        maxConcurrentCalls: 100,
      },
    ],
    agents: { reception: { kind: "conversation", tools: ["end_call"] } },
    media: { rtpPortMin: 46_000, rtpPortMax: 47_998, codecs: ["PCMU"] },
    http: { enabled: false },
    store: { kind: "sqlite", path: join(dir, "calls.db") },
    recordings: { enabled: false, dir: join(dir, "rec") },
    log: { level: "silent" },
  });
  const service = await startRingagent(config, {
    logger: silentLogger(),
    drainTimeoutMs: 2000,
    ...(kind === "fake" ? { providers: fakeProviders(question) } : {}),
  });
  // One unmeasured warm-up call per service start: JIT, decoders and the fake TTS's first synthesis
  // of each text (a zero-latency engine has no synthesis cost) are not what this bench measures.
  await runCaller(`sip:agent@127.0.0.1:${sipPort}`, speech).catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 500)); // the call's record is written after BYE
  const warmUpCalls = new Set((await service.store.listCalls({ limit: 10 })).calls.map((c) => c.id));
  processMediaPacer().resetStats();
  const wire: number[] = [];
  const barge: number[] = [];
  const greetings: number[] = [];
  const figures: CallFigures[] = [];
  let failed = 0;
  try {
    for (let r = 0; r < callsPerRound; r++) {
      const results = await Promise.all(
        Array.from({ length: concurrency }, async (_, i) => {
          await new Promise((resolve) => setTimeout(resolve, i * 37));
          return runCaller(`sip:agent@127.0.0.1:${sipPort}`, speech).catch(() => undefined);
        }),
      );
      for (const fig of results) {
        if (fig !== undefined) figures.push(fig);
        if (fig?.wireMs === undefined) failed++;
        else wire.push(fig.wireMs);
        if (fig?.bargeMs !== undefined) barge.push(fig.bargeMs);
        if (fig?.greetingMs !== undefined) greetings.push(fig.greetingMs);
      }
    }
    const turns = await Promise.all(
      (await service.store.listCalls({ limit: 500 })).calls
        .filter((c) => !warmUpCalls.has(c.id))
        .map(async (c) => (await service.store.getCall(c.id))?.turns ?? []),
    );
    const endpointing = turns
      .flat()
      .map((t) => t.latency.endpointingMs)
      .filter((v): v is number => v !== null);
    console.log(`\n${kind} engines, ${concurrency} concurrent call(s), ${callsPerRound} round(s):`);
    console.log(
      `  ${line("wire-to-wire (caller's last voiced packet -> agent's first voiced packet)", wire)}`,
    );
    console.log(
      `  ${line(
        "  minus the 500 ms endpointing silence window",
        wire.map((w) => w - 500),
      )}`,
    );
    console.log(`  ${line("agent-side endpointing (VAD silence + STT final)", endpointing)}`);
    console.log(
      `  ${line("barge-in reaction (caller's first voiced packet -> agent audio stops on the wire)", barge)}`,
    );
    console.log(`  ${line("greeting start (caller's ACK -> greeting's first voiced packet)", greetings)}`);
    if (failed > 0) console.log(`  calls without an answer: ${failed}`);
    printStages(
      "turn, ms after the caller's last voiced packet",
      figures.map((f) => f.turn),
    );
    printStages(
      "barge-in, ms after the caller's first voiced packet",
      figures.map((f) => f.barge),
    );
    const jb = (pick: (f: CallFigures) => number | undefined): number[] =>
      figures.map(pick).filter((v): v is number => v !== undefined);
    console.log(
      `  ${line(
        "time-based playout margin at call end",
        jb((f) => f.jitterTargetMs),
      )}`,
    );
    console.log(
      `  ${line(
        "jitter buffer mean depth after a frame out",
        jb((f) => f.meanDepthMs),
      )}`,
    );
    console.log(
      `  ${line(
        "interarrival jitter estimate at call end",
        jb((f) => f.jitterMs),
      )}`,
    );
    console.log(
      `  ${line(
        "concealed frames per call (count, not ms)",
        jb((f) => f.concealed),
      )}`,
    );
    const pacer = processMediaPacer().stats();
    console.log(
      `  pacer: rephased talkspurt starts ${pacer.rephases}, sub-tick lateness p50 ${pacer.tickLateness.p50Ms.toFixed(1)} p99 ${pacer.tickLateness.p99Ms.toFixed(1)} ms, send-interval jitter p99 ${pacer.sendIntervalJitter.p99Ms.toFixed(1)} ms`,
    );
    console.log(`  /proc/loadavg: ${readFileSync("/proc/loadavg", "utf8").trim()}`);
  } finally {
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  installWireTrace();
  const dir = mkdtempSync(join(tmpdir(), "ringagent-wire-speech-"));
  const raw = join(dir, "q.wav");
  const wav8k = join(dir, "q8k.wav");
  execFileSync("flite", ["-voice", "slt", "-t", question, "-o", raw]);
  execFileSync("sox", [raw, "-r", "8000", "-c", "1", "-b", "16", wav8k]);
  const speech = channelSamples(await readWavFile(wav8k), 0);
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `wire-bench: question "${question}" (${((speech.length / 8000) * 1000).toFixed(0)} ms), PCMU over UDP loopback, voiced = RMS >= ${voicedRms}`,
  );
  const kinds: Array<"offline" | "fake"> =
    engines === "both" ? ["fake", "offline"] : [engines === "fake" ? "fake" : "offline"];
  for (const kind of kinds) for (const c of concurrencies) await round(kind, c, speech);
}

const relaunched = await relaunchWithRuntimeFlags();
if (relaunched === undefined) await main();
else process.exitCode = relaunched;
