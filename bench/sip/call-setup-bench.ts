/**
 * Call setups per second under SIPp load: SIPp (UDP) places calls at a fixed rate for ~10 s per
 * step against our SipUserAgent, which answers each INVITE with a static SDP body and hangs up
 * (BYE) as soon as the ACK arrives. Prints, per rate: calls attempted/succeeded/failed (SIPp and
 * our side), achieved setups/s, and our process CPU % (process.cpuUsage over wall time).
 *   npx tsx bench/sip/call-setup-bench.ts [rates, default 20,50,100] [seconds, default 10]
 */
import { performance } from "node:perf_hooks";
import { SipUserAgent } from "../../src/sip/index.js";
import { requireTools, TestBed } from "../../test/bed/index.js";

const rates = (process.argv[2] ?? "20,50,100").split(",").map(Number);
const seconds = Number(process.argv[3] ?? 10);

const sdp = [
  "v=0",
  "o=- 1 1 IN IP4 127.0.0.1",
  "s=-",
  "c=IN IP4 127.0.0.1",
  "t=0 0",
  "m=audio 40000 RTP/AVP 0",
  "a=rtpmap:0 PCMU/8000",
  "",
].join("\r\n");

async function main(): Promise<void> {
  requireTools(["sipp"]);
  const bed = new TestBed("ringagent-bench-");
  const ua = new SipUserAgent({
    listen: [{ protocol: "udp", host: "127.0.0.1", port: 0 }],
    account: { aor: "sip:agent@127.0.0.1" },
    inbound: { allowedCidrs: ["127.0.0.1/32"] },
  });
  let answered = 0;
  let ended = 0;
  ua.on("incomingCall", (session) => {
    session.once("confirmed", () => {
      void session.bye();
    });
    session.once("ended", () => ended++);
    session.accept(sdp);
    answered++;
  });
  const [local] = await ua.start();
  if (local === undefined) throw new Error("no listen address");
  try {
    console.log("rate_cps  calls  ok  failed  ua_answered  ua_ended  setups_per_s  cpu_pct  wall_s");
    for (const rate of rates) {
      const calls = rate * seconds;
      const answeredBefore = answered;
      const endedBefore = ended;
      const cpuStart = process.cpuUsage();
      const startMs = performance.now();
      const result = await bed.sipp({
        scenario: "uac_answered_remote_bye.xml",
        name: `load-${rate}`,
        remote: `127.0.0.1:${local.port}`,
        service: "agent",
        transport: "udp",
        calls,
        rate,
        limit: rate * 4,
        traceMessages: false,
        timeoutMs: (seconds + 30) * 1000,
      });
      const wallS = (performance.now() - startMs) / 1000;
      const cpu = process.cpuUsage(cpuStart);
      const cpuPct = ((cpu.user + cpu.system) / 1e6 / wallS) * 100;
      const ok = result.stats?.successful ?? 0;
      const failed = result.stats?.failed ?? calls - ok;
      console.log(
        [
          String(rate).padStart(8),
          String(calls).padStart(6),
          String(ok).padStart(4),
          String(failed).padStart(7),
          String(answered - answeredBefore).padStart(12),
          String(ended - endedBefore).padStart(9),
          (ok / wallS).toFixed(1).padStart(13),
          cpuPct.toFixed(1).padStart(8),
          wallS.toFixed(1).padStart(7),
        ].join(" "),
      );
    }
    console.log(
      `ua counters: ${JSON.stringify(ua.counters)} transactions: ${JSON.stringify(ua.transactionCounters)}`,
    );
  } finally {
    await ua.stop();
    await bed.close();
  }
}

await main();
