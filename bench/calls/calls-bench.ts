/**
 * Call benchmarks against SIPp on 127.0.0.1 (UDP, plain RTP, PCMU), our side running the `echo`
 * agent on a `local` line built by createTelephony:
 *  1. N sequential-ish calls (default 1000, SIPp -l CONCURRENCY at RATE calls/s to fit in minutes):
 *     answer, 2 s of audio streamed by SIPp and echoed back, BYE. Prints setup time p50/p99 (our
 *     side: Call created -> ACK received, and SIPp's INVITE->200 response time), RSS before/after.
 *  2. Concurrent echo calls at growing N: CPU of this process while all N are up, pacer lateness,
 *     concealment. Calls per core = N / CPU fraction, for the largest N whose audio stays clean.
 *
 *   node --expose-gc --import tsx bench/calls/calls-bench.ts [--calls 1000] [--concurrency 20]
 *        [--levels 50,100,200,300] [--skip-sequential] [--skip-concurrent]
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { createDiagnosticAgent } from "../../src/agent/index.js";
import { processMediaPacer } from "../../src/media/index.js";
import { silentLogger } from "../../src/shared/index.js";
import { type Call, createTelephony } from "../../src/telephony/index.js";
import { requireTools, TestBed } from "../../test/bed/index.js";

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    calls: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "20" },
    rate: { type: "string", default: "20" },
    levels: { type: "string", default: "50,100,200,300" },
    "skip-sequential": { type: "boolean", default: false },
    "skip-concurrent": { type: "boolean", default: false },
  },
});

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function rssMb(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().rss / 1024 / 1024;
}

async function waitIdle(activeCalls: () => number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (activeCalls() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

requireTools(["sipp", "sox"]);
const bed = new TestBed("ringagent-calls-bench-");
try {
  const media = await bed.path("media");
  const ulaw2s = join(media, "tone-2s.wav");
  await run("sox", ["-n", "-r", "8000", "-c", "1", "-e", "u-law", ulaw2s, "synth", "2", "sine", "300-900"]);
  const ulaw12s = join(media, "tone-12s.wav");
  await run("sox", ["-n", "-r", "8000", "-c", "1", "-e", "u-law", ulaw12s, "synth", "12", "sine", "300-900"]);

  const telephony = createTelephony({
    rtpPortMin: 30_000,
    rtpPortMax: 39_998,
    codecs: ["PCMU"],
    mediaTimeoutMs: 30_000,
    rtpBindAddress: "127.0.0.1",
    logger: silentLogger(),
  });
  const handler = await createDiagnosticAgent({ kind: "echo", delayMs: 200 });
  const { addresses } = await telephony.addLine(
    {
      name: "bench",
      kind: "local",
      listen: ["udp:127.0.0.1:0"],
      maxConcurrentCalls: 2000,
      answerDelayMs: 0,
      callers: { allow: [], deny: [] },
      srtp: "off",
    },
    handler,
  );
  const remote = `127.0.0.1:${addresses[0]?.port}`;
  const manager = telephony.manager;
  const setupMs: number[] = [];
  const live = new Set<Call>();
  manager.on("call", (call) => {
    live.add(call);
    call.on("state", (state) => {
      if (state === "active" && call.answeredAtMs !== undefined)
        setupMs.push(call.answeredAtMs - call.startedAtMs);
    });
  });
  manager.on("callEnded", (call) => live.delete(call));
  const sippBase = {
    scenario: join(import.meta.dirname, "uac_stream_bye.xml"),
    remote,
    service: "agent",
    traceMessages: false,
  };

  if (!values["skip-sequential"]) {
    // Warm-up (JIT, pools) before the RSS baseline.
    await bed.sipp({
      ...sippBase,
      name: "warmup",
      calls: 20,
      limit: 10,
      rate: 20,
      placeholders: { ULAW_WAV: ulaw2s, PAUSE_MS: "2000" },
      timeoutMs: 60_000,
    });
    await waitIdle(() => manager.activeCalls, 10_000);
    setupMs.length = 0;
    const rssBefore = rssMb();
    const calls = Number(values.calls);
    const started = Date.now();
    const result = await bed.sipp({
      ...sippBase,
      name: "sequential",
      calls,
      limit: Number(values.concurrency),
      rate: Number(values.rate),
      placeholders: { ULAW_WAV: ulaw2s, PAUSE_MS: "2000" },
      timeoutMs: 1_200_000,
    });
    await waitIdle(() => manager.activeCalls, 10_000);
    const rssAfter = rssMb();
    const sorted = [...setupMs].sort((a, b) => a - b);
    console.log(
      [
        `sequential calls: ${calls} (SIPp -l ${values.concurrency} -r ${values.rate}/s) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        `  SIPp: successful ${result.stats?.successful ?? "?"}, failed ${result.stats?.failed ?? "?"}, exit ${result.code}`,
        `  setup (Call created -> ACK) p50 ${percentile(sorted, 50).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms, max ${(sorted.at(-1) ?? Number.NaN).toFixed(2)} ms (n=${sorted.length})`,
        `  RSS before ${rssBefore.toFixed(1)} MB, after ${rssAfter.toFixed(1)} MB, growth ${(rssAfter - rssBefore).toFixed(1)} MB`,
        `  after: active calls ${manager.activeCalls}, open media sessions ${telephony.media.openSessions}, RTP ports in use ${telephony.media.allocator.inUse}`,
        `  counters ${JSON.stringify(manager.counters)}`,
      ].join("\n"),
    );
  }

  if (!values["skip-concurrent"]) {
    const pacer = processMediaPacer();
    for (const level of values.levels.split(",").map(Number)) {
      const rampRate = 100;
      const sipp = bed.startSipp({
        ...sippBase,
        name: `concurrent-${level}`,
        calls: level,
        limit: level,
        rate: rampRate,
        placeholders: { ULAW_WAV: ulaw12s, PAUSE_MS: "11000" },
        timeoutMs: 120_000,
      });
      const deadline = Date.now() + 30_000;
      while (live.size < level && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 1500));
      const up = live.size;
      const statsOf = () =>
        [...live].reduce(
          (acc, c) => {
            const s = c.media.stats?.();
            return s
              ? {
                  rx: acc.rx + s.packetsReceived,
                  concealed: acc.concealed + s.concealed,
                  late: acc.late + s.late,
                }
              : acc;
          },
          { rx: 0, concealed: 0, late: 0 },
        );
      const p0 = pacer.stats();
      const m0 = statsOf();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, 5000));
      const cpu = process.cpuUsage(cpu0);
      const wallMs = performance.now() - t0;
      const p1 = pacer.stats();
      const m1 = statsOf();
      const cpuFraction = (cpu.user + cpu.system) / 1000 / wallMs;
      const concealedPct = m1.rx - m0.rx > 0 ? (100 * (m1.concealed - m0.concealed)) / (m1.rx - m0.rx) : 0;
      const clean = p1.skippedTicks === p0.skippedTicks && p1.sendLateness.p99Ms < 10 && concealedPct < 1;
      console.log(
        `concurrent echo calls: ${up}/${level} up; CPU ${(cpuFraction * 100).toFixed(1)}% of one core ` +
          `-> ~${Math.floor(up / Math.max(cpuFraction, 0.001))} calls/core; pacer late ticks +${p1.lateTicks - p0.lateTicks}, ` +
          `skipped +${p1.skippedTicks - p0.skippedTicks}, send lateness p99 ${p1.sendLateness.p99Ms.toFixed(2)} ms; ` +
          `concealed ${concealedPct.toFixed(2)}% of received; audio ${clean ? "clean" : "NOT clean"}`,
      );
      const result = await (await sipp).result;
      if (result.stats?.failed) console.log(`  SIPp failed calls: ${result.stats.failed}`);
      await waitIdle(() => manager.activeCalls, 15_000);
    }
  }
  await telephony.close();
} finally {
  await bed.close();
}
