import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { silentLogger } from "../../shared/index.js";
import { readWavFile, writeMonoWavFile } from "../../store/index.js";
import {
  type Call,
  CallManager,
  defaultLinePolicy,
  FakeIncoming,
  FakeLine,
  FakeMediaFactory,
  type FakeMediaSession,
  peerAnswer,
  peerOffer,
} from "../../telephony/index.js";
import { runEchoAgent } from "./echo-agent.js";
import { runPlaybackAgent } from "./playback-agent.js";
import { runCallCommand } from "./run-call-command.js";
import { framesOf } from "./wav-frames.js";

async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

function tone(value: number, frames: number, rateHz = 16000): Int16Array {
  return new Int16Array((rateHz / 50) * frames).fill(value);
}

async function inboundCall(
  handler: (call: Call) => Promise<void>,
  beforeAck?: (session: FakeMediaSession) => void,
) {
  const media = new FakeMediaFactory();
  const manager = new CallManager({ media, logger: silentLogger() });
  const line = new FakeLine("main");
  manager.addLine(line, defaultLinePolicy, handler);
  let call: Call | undefined;
  manager.on("call", (c) => {
    call = c;
  });
  const incoming = line.deliver(new FakeIncoming({ offer: peerOffer() }));
  await settle();
  const opened = media.sessions[0];
  if (opened) beforeAck?.(opened);
  incoming.ack();
  await settle();
  assert.ok(call);
  const session = media.sessions[0];
  assert.ok(session);
  return { manager, media, call, session, incoming };
}

describe("diagnostic agents", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "ringagent-diag-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("echo plays back what it hears behind 200 ms of silence", async () => {
    const env = await inboundCall((call) => runEchoAgent(call, { delayMs: 200 }));
    for (const frame of framesOf(tone(1000, 3), 16000)) env.session.pushFrame(frame);
    await settle(10);
    const playout = env.session.playouts[0];
    assert.ok(playout);
    assert.equal(playout.frames.length, 13);
    assert.ok(playout.frames.slice(0, 10).every((f) => f.samples.every((s) => s === 0)));
    assert.ok(playout.frames.slice(10).every((f) => f.samples.every((s) => s === 1000)));
    env.incoming.peerEnds();
    assert.deepEqual(await env.call.ended, { kind: "caller_hung_up" });
  });

  test("playback plays the file, records the caller, hangs up after play", async () => {
    const file = join(dir, "prompt.wav");
    await writeMonoWavFile(file, tone(500, 5, 8000), 8000);
    let agentDone: Promise<void> | undefined;
    const env = await inboundCall(
      (call) => {
        agentDone = runPlaybackAgent(call, { file, recordDir: dir, hangupAfterPlay: true });
        return agentDone;
      },
      // The caller speaks from the first moment (queued before the agent starts reading).
      (session) => {
        for (const frame of framesOf(tone(700, 4), 16000)) session.pushFrame(frame);
      },
    );
    await agentDone;
    assert.deepEqual(env.call.endReason, { kind: "agent_hung_up" });
    assert.equal(env.session.playouts[0]?.frames.length, 5);
    assert.equal(env.session.playouts[0]?.frames[0]?.sampleRateHz, 8000);
    const recorded = await readWavFile(join(dir, `${env.call.id}.wav`));
    assert.equal(recorded.sampleRateHz, 16000);
    assert.equal(recorded.durationMs, 80);
    assert.ok(recorded.samples.every((s) => s === 700));
  });

  test("runCallCommand: answered, plays, records, hangs up; busy gives exit code 1", async () => {
    const media = new FakeMediaFactory();
    const manager = new CallManager({ media, logger: silentLogger() });
    const line = new FakeLine("out");
    manager.addLine(line, defaultLinePolicy);
    const play = join(dir, "play.wav");
    await writeMonoWavFile(play, tone(300, 2), 16000);
    line.nextInvite = { kind: "answer", answerSdp: (o) => peerAnswer(o) };
    const printed: string[] = [];
    const result = await runCallCommand(
      manager,
      { target: "sip:2002@127.0.0.2", play, record: join(dir, "out.wav"), tailMs: 10 },
      (l) => printed.push(l),
    );
    assert.equal(result.exitCode, 0);
    assert.deepEqual(result.endReason, { kind: "agent_hung_up" });
    assert.equal(media.sessions[0]?.playouts[0]?.frames.length, 2);
    assert.equal((await readWavFile(join(dir, "out.wav"))).channels, 1);
    assert.ok(printed.some((l) => l.startsWith("call: answered")));
    line.nextInvite = { kind: "fail", status: 486 };
    const busy = await runCallCommand(manager, { target: "sip:2002@127.0.0.2" }, (l) => printed.push(l));
    assert.deepEqual(busy, { exitCode: 1, outcome: "busy", status: 486 });
    assert.equal(media.openSessions, 0);
  });
});
