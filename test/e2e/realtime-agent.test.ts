/**
 * Issue 9 speech-to-speech end to end: the service (a `local` line) answers with a realtime agent
 * pointed at the fake OpenAI Realtime server; our own SIP UA and a raw PCMU RTP socket are the
 * caller. The model's greeting reaches the caller as RTP audio; the server's VAD reporting the
 * caller talking over it flushes our playout at once and truncates the item to what the caller
 * heard (audio_end_ms close to the ms of greeting the caller received); the model's end_call tool
 * call ends the call with a BYE.
 */
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { RealtimeCallSummary } from "../../src/agent/index.js";
import type { ServiceHandle } from "../../src/main.js";
import {
  linearToUlaw,
  parseRtpPacket,
  parseSdp,
  serializeRtpPacket,
  ulawToLinear,
} from "../../src/media/index.js";
import { FakeOpenAiRealtimeServer } from "../../src/pipeline/index.js";
import { SipUserAgent } from "../../src/sip/index.js";
import { peerOffer, sdpBody } from "../../src/telephony/index.js";
import { startE2eService, waitFor } from "./e2e-helpers.js";

const keyEnv = "RINGAGENT_E2E_REALTIME_KEY";

function rms(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += (samples[i] ?? 0) ** 2;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

describe("issue 9: speech-to-speech agent over a real SIP call", { timeout: 60_000 }, () => {
  const cleanup: Array<() => Promise<unknown> | unknown> = [];
  after(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  test("greeting audio reaches the caller, barge-in truncates to what was heard, end_call hangs up", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ringagent-realtime-e2e-"));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const fake = await new FakeOpenAiRealtimeServer().start();
    cleanup.push(() => fake.stop());
    fake.apiKey = "sk-e2e";
    // The caller's first turn is "heard" after 5 s of its audio; the greeting is long (4 s).
    fake.respondAfterAudioMs = 5000;
    fake.replies.push(
      { kind: "audio", text: "Thanks for calling Example Company, how can I help you today?", audioMs: 4000 },
      { kind: "function_call", name: "end_call", arguments: "{}" },
    );
    const summaries: RealtimeCallSummary[] = [];
    const started = await startE2eService(
      {
        dir,
        agent: {
          greeting: "Thanks for calling.",
          tools: ["end_call", "lookup"],
          llm: { provider: "openai-realtime", baseUrl: fake.baseUrl, apiKeyEnv: keyEnv },
        },
      },
      { realtime: { env: { [keyEnv]: "sk-e2e" }, onCallDone: (s) => summaries.push(s) } },
    );
    const service: ServiceHandle = started.service;
    cleanup.push(() => service.stop());

    // The caller: our SIP UA, PCMU over a raw RTP socket (silence out, agent audio in).
    const rtp: Socket = createSocket("udp4");
    await new Promise<void>((resolve) => rtp.bind(0, "127.0.0.2", resolve));
    cleanup.push(() => rtp.close());
    const ua = new SipUserAgent({
      listen: [{ protocol: "udp", host: "127.0.0.1", port: 0 }],
      inbound: { allowAny: true },
    });
    await ua.start();
    cleanup.push(() => ua.stop());
    const voicedAtMs: number[] = [];
    rtp.on("message", (msg) => {
      const parsed = parseRtpPacket(msg);
      if (!parsed.ok || parsed.packet.payloadType !== 0) return;
      if (rms(Array.from(parsed.packet.payload, ulawToLinear)) < 300) return;
      voicedAtMs.push(performance.now());
    });
    const session = await ua.invite(started.agentUri, {
      body: sdpBody(peerOffer({ port: rtp.address().port, codecs: ["PCMU/8000"] })),
    });
    let byeReceived = false;
    session.on("ended", () => {
      byeReceived = true;
    });
    const answer = parseSdp(session.remoteBody?.body.toString("utf8") ?? "");
    assert.ok(answer.ok, "the agent answered with SDP");
    const media = answer.sdp.media[0];
    const host = media?.connection?.address ?? answer.sdp.connection?.address ?? "127.0.0.1";
    const remotePort = media?.port ?? 0;
    let sending = true;
    const silence = new Uint8Array(160).fill(linearToUlaw(0));
    const sendLoop = (async () => {
      let seq = 1000;
      let ts = 5000;
      const start = performance.now();
      for (let tick = 0; sending && tick < 2000; tick++) {
        const packet = serializeRtpPacket({
          marker: false,
          payloadType: 0,
          sequenceNumber: seq++ & 0xffff,
          timestamp: ts >>> 0,
          ssrc: 0x1234,
          csrcs: [],
          payload: silence,
          paddingBytes: 0,
        });
        ts += 160;
        rtp.send(packet, remotePort, host);
        const wait = start + (tick + 1) * 20 - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    })();
    cleanup.push(async () => {
      sending = false;
      await sendLoop;
    });

    // 1. The greeting (the model's audio) arrives at the caller as RTP.
    await waitFor("1 s of the greeting at the caller", () => voicedAtMs.length >= 50, 10_000);
    const greetingResponse = fake.received.find((e) => e.type === "response.create");
    assert.ok(greetingResponse, "the greeting was asked for with response.create");
    assert.match(JSON.stringify(greetingResponse), /Thanks for calling\./);

    // 2. The caller talks over it: the server's VAD says so mid-greeting.
    const heardMs = voicedAtMs.length * 20;
    fake.bargeIn();
    const bargeAt = performance.now();
    await waitFor(
      "the truncate",
      () => fake.received.some((e) => e.type === "conversation.item.truncate"),
      5000,
    );
    const truncate = fake.received.find((e) => e.type === "conversation.item.truncate");
    const audioEndMs = Number(truncate?.audio_end_ms);
    console.log(`caller heard ${heardMs} ms of the greeting; truncate audio_end_ms ${audioEndMs}`);
    assert.ok(
      Math.abs(audioEndMs - heardMs) <= 200,
      `audio_end_ms ${audioEndMs} is close to the ${heardMs} ms the caller heard`,
    );
    // Our playout stopped at once: no greeting audio after the next few packets (4 s were queued).
    await new Promise((resolve) => setTimeout(resolve, 600));
    const lateVoiced = voicedAtMs.filter((t) => t > bargeAt + 150).length;
    console.log(`voiced packets more than 150 ms after the barge-in: ${lateVoiced}`);
    assert.equal(lateVoiced, 0, "the agent's audio stopped on the wire");
    const heardTotalMs = voicedAtMs.length * 20;
    assert.ok(heardTotalMs < 3000, `the caller heard ${heardTotalMs} ms of a 4000 ms greeting`);

    // 3. The caller's turn -> the model calls end_call -> BYE.
    await waitFor("the agent's BYE", () => byeReceived, 15_000);
    await waitFor("the call summary", () => summaries.length > 0, 5000);
    const summary = summaries[0];
    assert.equal(summary?.reason, "end_call");
    assert.equal(summary?.interruptions.length, 1);
    assert.ok(fake.receivedTypes.includes("input_audio_buffer.append"), "caller audio went to the model");
    const update = fake.received.find((e) => e.type === "session.update");
    assert.match(JSON.stringify(update), /end_call/, "the tools were offered to the model");

    // The journal: barge-in and tool events, the caller's turn, the recording.
    await service.journal.flush();
    const callId = (await service.store.listCalls()).calls[0]?.id;
    assert.ok(callId);
    await waitFor(
      "the call row to end",
      async () => (await service.store.getCall(callId))?.call.status === "ended",
      5000,
    );
    const detail = await service.store.getCall(callId);
    assert.ok(detail);
    assert.ok(
      detail.events.some((e) => e.type === "barge_in"),
      "barge-in journaled",
    );
    assert.ok(
      detail.events.some((e) => e.type === "tool"),
      "tool call journaled",
    );
    assert.equal(detail.turns[0]?.callerText, "hello");
    assert.ok(detail.call.recordingPath, "the call was recorded");
    assert.ok((await stat(detail.call.recordingPath)).size > 44 + 16_000, "the recording has audio");
  });
});
