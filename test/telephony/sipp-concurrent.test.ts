/**
 * 50 concurrent calls from SIPp (UDP, PCMU RTP streamed with rtp_stream) to a `local` line running
 * the `echo` agent: all answered, all ended cleanly by SIPp's BYE, nothing leaked afterwards
 * (active calls, media sessions, RTP ports, timers of the calls).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { createDiagnosticAgent } from "../../src/agent/index.js";
import { silentLogger } from "../../src/shared/index.js";
import { type CallEndReason, createTelephony, type Telephony } from "../../src/telephony/index.js";
import { requireTools, TestBed } from "../bed/index.js";

const run = promisify(execFile);

describe("SIPp: 50 concurrent calls with RTP", { timeout: 120_000 }, () => {
  let bed: TestBed;
  let telephony: Telephony;
  let remote: string;

  before(async () => {
    requireTools(["sipp", "sox"]);
    bed = new TestBed();
    telephony = createTelephony({
      rtpPortMin: 44_000,
      rtpPortMax: 45_998,
      codecs: ["PCMU"],
      mediaTimeoutMs: 10_000,
      rtpBindAddress: "127.0.0.1",
      logger: silentLogger(),
    });
    const { addresses } = await telephony.addLine(
      {
        name: "sipp",
        kind: "local",
        listen: ["udp:127.0.0.1:0"],
        maxConcurrentCalls: 60,
        answerDelayMs: 0,
        callers: { allow: [], deny: [] },
        srtp: "off",
      },
      await createDiagnosticAgent({ kind: "echo", delayMs: 200 }),
    );
    remote = `127.0.0.1:${addresses[0]?.port}`;
  });

  after(async () => {
    await telephony?.close();
    await bed?.close();
  });

  test("all answered, all ended by the caller, none leaked", async () => {
    const wav = join(await bed.path("media"), "tone-3s.wav");
    await run("sox", ["-n", "-r", "8000", "-c", "1", "-e", "u-law", wav, "synth", "3", "sine", "440"]);
    const reasons: CallEndReason[] = [];
    let peak = 0;
    telephony.manager.on("call", () => {
      peak = Math.max(peak, telephony.manager.activeCalls);
    });
    telephony.manager.on("callEnded", (_call, reason) => reasons.push(reason));
    const result = await bed.sipp({
      scenario: join(import.meta.dirname, "../../bench/calls/uac_stream_bye.xml"),
      name: "concurrent-50",
      remote,
      service: "agent",
      calls: 50,
      limit: 50,
      rate: 100,
      placeholders: { ULAW_WAV: wav, PAUSE_MS: "3000" },
      traceMessages: false,
      timeoutMs: 60_000,
    });
    assert.equal(result.stats?.successful, 50, result.output.slice(-1500));
    assert.equal(result.stats?.failed, 0);
    const deadline = Date.now() + 5000;
    while (telephony.manager.activeCalls > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    assert.ok(peak >= 45, `calls overlapped (peak ${peak})`);
    assert.equal(reasons.length, 50);
    assert.ok(
      reasons.every((r) => r.kind === "caller_hung_up"),
      JSON.stringify(reasons.filter((r) => r.kind !== "caller_hung_up")),
    );
    assert.equal(telephony.manager.activeCalls, 0);
    assert.equal(telephony.media.openSessions, 0);
    assert.equal(telephony.media.allocator.inUse, 0);
    assert.equal(telephony.manager.counters.answered, 50);
  });
});
