/**
 * Capacity of the media session: N concurrent bidirectional SRTP calls on 127.0.0.1.
 * Our side: N MediaSessions in this process (playing agent audio continuously, decoding what they
 * receive to pipeline-rate frames, 16 kHz by default). Far side: a child process
 * (session-bench-peer.ts) that sends each call 50 SRTP packets/s of pre-encoded voice (so the far
 * end's cost is not counted here). Prints CPU per call, memory per call, two pacing measures,
 * inbound loss, and the largest N this process sustains with p99 pacing jitter <= 5 ms and CPU
 * below one core (the jitter-bound N). Pacing jitter ("jit"): per stream, |interval between two
 * consecutive sends - 20 ms|, what the far end's jitter buffer sees. Send lateness ("late"): send
 * time minus the tick's deadline; it grows with N even when every stream is regular, because the
 * Nth session of a tick sends after the N-1 before it (about N x 25 µs), plus timer slack. On a shared machine the jitter-bound N depends on what else
 * runs, so each row also gives the CPU-bound estimate, calls per core = 1000 / (CPU ms per
 * call-second) from process.cpuUsage, with the load average at the time; and the socket-free cost
 * of the media path per stage (media-path-cost.ts). Then a per-packet send-path comparison with
 * ringcentral-softphone's media path (werift-rtp RtpPacket + SrtpSession.encrypt + socket.send).
 *   npx tsx bench/media/session-bench.ts [--codecs=PCMU/8000,opus/48000/2] [--ns=50,100,200,300,400,600]
 *     [--seconds=6] [--pipeline=16000] [--no-compare] [--keep-going] [--default-gc] [--peer-phases=10] [--warm-up=4]
 * Runs with the service's runtime V8 flags (bench/runtime-flags.ts, src/main/runtime-flags.ts)
 * unless --default-gc is given, and with the native media engine when it is built
 * (RINGAGENT_MEDIA_NATIVE=off measures the pure-JS engine; the far side follows the same setting).
 */

import { type ChildProcess, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { loadavg } from "node:os";
import { join } from "node:path";
import { type PerformanceEntry, PerformanceObserver } from "node:perf_hooks";
import {
  type AudioFrame,
  answerOffer,
  createCodec,
  createLocalOrigin,
  createOffer,
  formatInlineKeyParams,
  generateSrtpMasterKey,
  type MediaCapabilities,
  MediaSession,
  mediaAddonStatus,
  OutboundStream,
  processAnswer,
  processMediaPacer,
  type ResamplerRateHz,
  RtpPortAllocator,
  SrtpSession,
} from "../../src/media/index.js";
import { relaunchWithRuntimeFlags } from "../runtime-flags.js";
import { mediaPathCost } from "./media-path-cost.js";
import type { PeerCall, ToPeer } from "./session-bench-peer.js";

// --- our side ------------------------------------------------------------------------------------

function argument(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length) ?? fallback;
}

/**
 * The far side's calls send at this many phases of the 20 ms frame (independent phones are not in
 * step with each other); 1 sends every call's packet in one burst, the harshest case.
 */
const peerPhases = Number(argument("peer-phases", "10"));
/** Seconds of the unmeasured warm-up step before the table (0 skips it). */
const warmUpSeconds = Number(argument("warm-up", "4"));

function speechLike(seconds: number, rateHz: number): AudioFrame[] {
  const frames: AudioFrame[] = [];
  let phase = 0;
  const size = rateHz / 50;
  for (let f = 0; f < seconds * 50; f++) {
    const samples = new Int16Array(size);
    for (let i = 0; i < size; i++) {
      const t = (f * size + i) / rateHz;
      const f0 = 165 + 55 * Math.sin(2 * Math.PI * 0.7 * t);
      phase += (2 * Math.PI * f0) / rateHz;
      let v = 0;
      for (let h = 1; h * f0 < 3200; h++) v += Math.sin(h * phase) / (1 + 0.3 * h);
      samples[i] = Math.round(v * (0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t)) * 3000);
    }
    frames.push({ samples, sampleRateHz: rateHz });
  }
  return frames;
}

function caps(codec: string, port: number): MediaCapabilities {
  return {
    codecs: [codec],
    telephoneEvent: true,
    cryptoSuites: ["AES_CM_128_HMAC_SHA1_80"],
    srtpPolicy: "mandatory",
    address: "127.0.0.1",
    port,
    ptimeMs: 20,
    rtcpMux: false,
    generateKeyParams: (suite) => formatInlineKeyParams(generateSrtpMasterKey(suite)),
  };
}

function request<T>(child: ChildProcess, message: ToPeer, reply: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (m: { kind: string }): void => {
      if (m.kind !== reply) return;
      child.off("message", onMessage);
      resolve(m as T);
    };
    child.on("message", onMessage);
    child.send(message);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface RunResult {
  readonly n: number;
  readonly cpuPercent: number;
  readonly cpuMsPerCallSecond: number;
  /** The user-space part of cpuMsPerCallSecond (the rest is kernel time: UDP send and receive). */
  readonly userMsPerCallSecond: number;
  readonly rssMbPerCall: number;
  /** Per-stream send-interval jitter |interval - 20 ms|. */
  readonly jitterP50Ms: number;
  readonly jitterP99Ms: number;
  readonly jitterMaxMs: number;
  /** Send lateness (send time minus tick deadline). */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly lateTicks: number;
  readonly skippedTicks: number;
  readonly lossPercent: number;
  readonly sustained: boolean;
  /** Also sustained with p99 send lateness <= 5 ms (the stricter, position-in-tick measure). */
  readonly sustainedByLateness: boolean;
  /** 1-minute load average at the end of the step. */
  readonly loadAverage: number;
  /** GC pauses during the measured phase (a pause delays every timer, the pacer's included). */
  readonly gcPauses: number;
  readonly gcMaxMs: number;
  /** Mark-compact (major) and scavenge (minor) pauses, and the longest of each kind. */
  readonly gcMajor: number;
  readonly gcMajorMaxMs: number;
  readonly gcMinor: number;
  readonly gcMinorMaxMs: number;
  /**
   * ArrayBuffer backing-store bytes allocated per call-second (approximate: the sum of the rises of
   * process.memoryUsage().arrayBuffers sampled every 10 ms; frees happen only when a GC sweeps).
   */
  readonly arrayBufferKbPerCallSecond: number;
}

/** node:perf_hooks gc entry kinds (NODE_PERFORMANCE_GC_*). */
const gcKindMajor = 4;
const gcKindMinor = 1;

/** Sums the rises of process.memoryUsage().arrayBuffers, sampled on a timer, until stop(). */
function arrayBufferAllocationMeter(intervalMs: number): { stop(): number } {
  let last = process.memoryUsage().arrayBuffers;
  let allocated = 0;
  const timer = setInterval(() => {
    const now = process.memoryUsage().arrayBuffers;
    if (now > last) allocated += now - last;
    last = now;
  }, intervalMs);
  return {
    stop(): number {
      clearInterval(timer);
      const now = process.memoryUsage().arrayBuffers;
      if (now > last) allocated += now - last;
      return allocated;
    },
  };
}

async function runLoad(
  child: ChildProcess,
  codec: string,
  n: number,
  seconds: number,
  agentAudio: AudioFrame[],
  pipelineRateHz: ResamplerRateHz,
): Promise<RunResult> {
  const allocator = new RtpPortAllocator({ minPort: 30000, maxPort: 60000 });
  const pacer = processMediaPacer();
  const rssBefore = process.memoryUsage().rss;
  const sessions = await Promise.all(
    Array.from({ length: n }, () =>
      MediaSession.open({ allocator, address: "127.0.0.1" }, { pacer, pipelineRateHz }),
    ),
  );
  const { ports } = await request<{ ports: number[] }>(child, { kind: "open", count: n }, "ports");
  const calls: PeerCall[] = [];
  let framesIn = 0;
  sessions.forEach((s, i) => {
    const peerPort = ports[i] ?? 0;
    const offer = createOffer({
      capabilities: caps(codec, s.localPort),
      origin: createLocalOrigin(String(i + 1), "127.0.0.1"),
    });
    const answered = answerOffer({
      offer,
      capabilities: caps(codec, peerPort),
      origin: createLocalOrigin("9", "127.0.0.1"),
    });
    if (!answered.ok || answered.negotiated.srtp === undefined) throw new Error("negotiation failed");
    const processed = processAnswer(offer, answered.answer, caps(codec, s.localPort));
    if (!processed.ok) throw new Error("answer not accepted");
    s.configure(processed.negotiated);
    s.on("frame", () => {
      framesIn++;
    });
    const loop = (): void => {
      if (s.closed) return;
      void s.play(agentAudio).finished.then(loop);
    };
    loop();
    calls.push({
      ourPort: s.localPort,
      keyParams: answered.negotiated.srtp.localKeyParams,
      payloadType: answered.negotiated.codec.payloadType,
      unitsPerFrame: answered.negotiated.codec.clockRateHz / 50,
    });
  });
  const payload = peerPayload(codec);
  await request(child, { kind: "start", calls, payload: [...payload], phases: peerPhases }, "started");
  await sleep(2000);
  const received0 = sessions.reduce((sum, s) => sum + s.stats().packetsReceived, 0);
  pacer.resetStats();
  let gcPauses = 0;
  let gcMaxMs = 0;
  const gc = { major: 0, majorMaxMs: 0, minor: 0, minorMaxMs: 0 };
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcPauses++;
      gcMaxMs = Math.max(gcMaxMs, entry.duration);
      const detail = (entry as PerformanceEntry & { readonly detail?: { readonly kind?: number } }).detail;
      if (detail?.kind === gcKindMajor) {
        gc.major++;
        gc.majorMaxMs = Math.max(gc.majorMaxMs, entry.duration);
      } else if (detail?.kind === gcKindMinor) {
        gc.minor++;
        gc.minorMaxMs = Math.max(gc.minorMaxMs, entry.duration);
      }
    }
  });
  gcObserver.observe({ entryTypes: ["gc"] });
  const meter = arrayBufferAllocationMeter(10);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const cpu = process.cpuUsage(cpu0);
  const elapsedMs = performance.now() - t0;
  const arrayBufferBytes = meter.stop();
  const rss = process.memoryUsage().rss;
  const received = sessions.reduce((sum, s) => sum + s.stats().packetsReceived, 0) - received0;
  const stats = pacer.stats();
  gcObserver.disconnect();
  await request(child, { kind: "stop" }, "stopped");
  for (const s of sessions) s.close();
  await sleep(300);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const cpuPercent = (100 * cpuMs) / elapsedMs;
  const expected = (n * elapsedMs) / 20;
  const p99 = stats.sendLateness.p99Ms;
  const jitterP99 = stats.sendIntervalJitter.p99Ms;
  const healthy = cpuPercent < 100 && stats.skippedTicks === 0 && framesIn > 0;
  return {
    n,
    cpuPercent,
    cpuMsPerCallSecond: cpuMs / n / (elapsedMs / 1000),
    userMsPerCallSecond: cpu.user / 1000 / n / (elapsedMs / 1000),
    rssMbPerCall: (rss - rssBefore) / n / 1e6,
    jitterP50Ms: stats.sendIntervalJitter.p50Ms,
    jitterP99Ms: jitterP99,
    jitterMaxMs: stats.sendIntervalJitter.maxMs,
    p50Ms: stats.sendLateness.p50Ms,
    p99Ms: p99,
    lateTicks: stats.lateTicks,
    skippedTicks: stats.skippedTicks,
    lossPercent: Math.max(0, 100 * (1 - received / expected)),
    sustained: jitterP99 <= 5 && healthy,
    sustainedByLateness: p99 <= 5 && healthy,
    loadAverage: loadavg()[0] ?? 0,
    gcPauses,
    gcMaxMs,
    gcMajor: gc.major,
    gcMajorMaxMs: gc.majorMaxMs,
    gcMinor: gc.minor,
    gcMinorMaxMs: gc.minorMaxMs,
    arrayBufferKbPerCallSecond: arrayBufferBytes / 1000 / n / (elapsedMs / 1000),
  };
}

function peerPayload(codec: string): Uint8Array {
  const name = codec.split("/")[0] ?? "PCMU";
  const c = createCodec(name, Number(codec.split("/")[1]), { opusSampleRateHz: 16000 });
  if (c === undefined) throw new Error(`no codec ${codec}`);
  const frames = speechLike(0.2, c.sampleRateHz);
  let payload = new Uint8Array(0);
  for (const f of frames) payload = Uint8Array.from(c.encode(f));
  return payload;
}

// --- per-packet send path: ours vs ringcentral-softphone (werift-rtp) ----------------------------

async function sendPathComparison(packets: number): Promise<void> {
  const sink = createSocket("udp4");
  sink.bind(0, "127.0.0.1");
  await once(sink, "listening");
  const sinkPort = sink.address().port;
  const out = createSocket("udp4");
  out.bind(0, "127.0.0.1");
  await once(out, "listening");
  const pcm8k = speechLike(1, 8000);
  const key = generateSrtpMasterKey();

  const codec = createCodec("PCMU", 8000);
  if (codec === undefined) throw new Error("PCMU");
  const stream = new OutboundStream({
    codec,
    payloadType: 0,
    telephoneEventClockRateHz: 8000,
    sendSilence: false,
  });
  const srtp = new SrtpSession({ suite: "AES_CM_128_HMAC_SHA1_80", ...key });
  const ours = (): number => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < packets; i++) {
      if (stream.utterances.idle) stream.utterances.enqueue(pcm8k);
      const packet = stream.nextPacket(i);
      if (packet === undefined) continue;
      const r = srtp.protectRtp(packet);
      if (r.ok) out.send(r.packet, sinkPort, "127.0.0.1");
      stream.packetSent(true, packet.length - 12);
    }
    return Number(process.hrtime.bigint() - t0) / packets / 1000;
  };

  let theirs: (() => number) | undefined;
  try {
    const werift = await import("werift-rtp");
    const session = new werift.SrtpSession({
      profile: 1,
      keys: {
        localMasterKey: Buffer.from(key.masterKey),
        localMasterSalt: Buffer.from(key.masterSalt),
        remoteMasterKey: Buffer.from(key.masterKey),
        remoteMasterSalt: Buffer.from(key.masterSalt),
      },
    });
    // ringcentral-softphone's PCMU "encoder" is the identity (it expects u-law input), so feed it
    // u-law bytes encoded up front; its Streamer builds an RtpPacket per 20 ms and encrypts it.
    const ulaw = pcm8k.map((f) => Buffer.from(codec.encode(f)));
    theirs = (): number => {
      let seq = 0;
      let timestamp = 0;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < packets; i++) {
        const payload = ulaw[i % ulaw.length] as Buffer;
        const header = new werift.RtpHeader({
          version: 2,
          padding: false,
          paddingSize: 0,
          extension: false,
          marker: false,
          payloadOffset: 12,
          payloadType: 0,
          sequenceNumber: seq,
          timestamp,
          ssrc: 0x1234,
          csrcLength: 0,
          csrc: [],
          extensionProfile: 48862,
          extensions: [],
        });
        const rtpPacket = new werift.RtpPacket(header, payload);
        out.send(session.encrypt(rtpPacket.payload, rtpPacket.header), sinkPort, "127.0.0.1");
        seq = (seq + 1) & 0xffff;
        timestamp += 160;
      }
      return Number(process.hrtime.bigint() - t0) / packets / 1000;
    };
  } catch (error) {
    console.log(`ringcentral-softphone path unavailable: ${String(error)}`);
  }
  ours();
  theirs?.();
  const oursUs = ours();
  const theirsUs = theirs?.();
  console.log(`\nper-packet send path, PCMU + SRTP_80 + socket.send (${packets} packets, after warm-up):`);
  console.log(
    `  ringagent (8 kHz PCM -> u-law encode -> RTP -> protect -> send): ${oursUs.toFixed(1)} µs/packet`,
  );
  if (theirsUs !== undefined) {
    console.log(
      `  ringcentral-softphone (u-law given -> werift RtpPacket -> encrypt -> send): ${theirsUs.toFixed(1)} µs/packet`,
    );
    console.log(`  ratio softphone/ringagent: ${(theirsUs / oursUs).toFixed(2)}x`);
  }
  sink.close();
  out.close();
}

function formatRow(r: RunResult): string {
  const perCore = 1000 / r.cpuMsPerCallSecond;
  return [
    String(r.n).padStart(5),
    r.cpuPercent.toFixed(0).padStart(5),
    `${r.cpuMsPerCallSecond.toFixed(2)} (${r.userMsPerCallSecond.toFixed(2)})`.padStart(13),
    perCore.toFixed(0).padStart(10),
    r.rssMbPerCall.toFixed(3).padStart(8),
    r.jitterP50Ms.toFixed(1).padStart(7),
    r.jitterP99Ms.toFixed(1).padStart(7),
    r.jitterMaxMs.toFixed(1).padStart(7),
    r.p50Ms.toFixed(1).padStart(6),
    r.p99Ms.toFixed(1).padStart(6),
    String(r.lateTicks).padStart(10),
    String(r.skippedTicks).padStart(7),
    r.lossPercent.toFixed(1).padStart(5),
    r.loadAverage.toFixed(1).padStart(5),
    String(r.gcPauses).padStart(4),
    r.gcMaxMs.toFixed(1).padStart(6),
    `${r.gcMajor}/${r.gcMinor}`.padStart(8),
    `${r.gcMajorMaxMs.toFixed(1)}/${r.gcMinorMaxMs.toFixed(1)}`.padStart(10),
    r.arrayBufferKbPerCallSecond.toFixed(1).padStart(8),
    `  ${r.sustained ? "yes" : "no"}${r.sustainedByLateness ? "" : " (late p99 > 5)"}`,
  ].join(" ");
}

async function main(): Promise<void> {
  const codecs = argument("codecs", "PCMU/8000,opus/48000/2").split(",");
  const ns = argument("ns", "50,100,200,300,400,600").split(",").map(Number);
  const seconds = Number(argument("seconds", "6"));
  const pipelineRateHz = Number(argument("pipeline", "16000")) as ResamplerRateHz;
  // Run every N even after one was not sustained (comparisons on a busy machine).
  const keepGoing = process.argv.includes("--keep-going");
  console.log(
    `node ${process.version}, ${process.arch}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(
        " ",
      )}; V8 flags: ${process.execArgv.filter((a) => a.startsWith("--max-")).join(" ") || "default"}; media engine: ${mediaAddonStatus().engine}; far side sends at ${peerPhases} phase(s) per 20 ms`,
  );
  const peerScript = join(import.meta.dirname, "session-bench-peer.ts");
  const child = spawn(process.execPath, ["--import", "tsx", peerScript, "--peer"], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const agentAudio = speechLike(10, pipelineRateHz);
  try {
    for (const codec of codecs) {
      const path = mediaPathCost(codec, pipelineRateHz, agentAudio);
      const stages = Object.entries(path.stagesUs)
        .map(([stage, us]) => `${stage} ${us.toFixed(1)}`)
        .join(", ");
      console.log(
        `\n${codec} + SRTP, pipeline ${pipelineRateHz / 1000} kHz: media path without sockets ${path.totalUs.toFixed(1)} µs CPU per call per 20 ms (${stages}) = ${path.cpuMsPerCallSecond.toFixed(2)} ms per call-second; ${path.arrayBufferBytesPerCallTick.toFixed(0)} ArrayBuffer bytes allocated per call per 20 ms`,
      );
      // Steady state: one unmeasured step first (JIT tiers, heap growth to its working size).
      const warmUpN = ns[0] ?? 100;
      if (warmUpSeconds > 0) await runLoad(child, codec, warmUpN, warmUpSeconds, agentAudio, pipelineRateHz);
      console.log(
        `live calls, agent audio both ways, ${seconds} s per step (after an unmeasured ${warmUpSeconds} s warm-up at N=${warmUpN}):`,
      );
      console.log(
        "    N  cpu%  cpu ms/call/s (user)  calls/core  MB/call jit p50 jit p99 jit max late50 late99 late ticks skipped loss%  load   gc gc max maj/min max maj/min AB kB/c/s  sustained",
      );
      console.log(
        "  jit = per-stream |send interval - 20 ms| (pacing jitter, ms); late = send time - tick deadline (ms); gc = pauses in the step, gc max in ms; maj/min = mark-compact/scavenge pauses and their max ms; AB kB/c/s = ArrayBuffer kB allocated per call-second (approx.)",
      );
      let best = 0;
      let bestByLateness = 0;
      let last: RunResult | undefined;
      let stillSustained = true;
      for (const n of ns) {
        const r = await runLoad(child, codec, n, seconds, agentAudio, pipelineRateHz);
        console.log(formatRow(r));
        last = r;
        if (stillSustained && r.sustained && r.sustainedByLateness && bestByLateness === best)
          bestByLateness = n;
        if (!r.sustained) {
          // With --keep-going the largest sustained N is still the last one before the first failure.
          if (!keepGoing) break;
          stillSustained = false;
          continue;
        }
        if (stillSustained) best = n;
      }
      console.log(
        `largest N sustained on one core (pacing jitter p99 <= 5 ms, cpu < 100%, no skipped ticks): ${best}; with send lateness p99 <= 5 ms too: ${bestByLateness}`,
      );
      if (last !== undefined) {
        console.log(
          `CPU-bound estimate at N=${last.n}: ${(1000 / last.cpuMsPerCallSecond).toFixed(0)} calls per core (${last.cpuMsPerCallSecond.toFixed(2)} ms CPU per call-second, load average ${last.loadAverage.toFixed(1)})`,
        );
      }
    }
    if (!process.argv.includes("--no-compare")) await sendPathComparison(20_000);
  } finally {
    child.kill();
  }
}

const relaunched = await relaunchWithRuntimeFlags();
if (relaunched === undefined) await main();
else process.exitCode = relaunched;
