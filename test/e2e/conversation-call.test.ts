/**
 * Issue 6 end to end: baresip calls the `local` line (plain RTP, PCMU over UDP) and speaks flite
 * speech; the offline receptionist (pocketsphinx, script, flite) greets, answers "what are your
 * hours", transfers "operator" by REFER to a second baresip, and stops talking when the caller talks
 * over a long answer. Heard audio is checked by transcribing baresip's recording (narrowband recipe)
 * and the agent's stereo recording.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { ServiceHandle } from "../../src/main.js";
import { readWavFile } from "../../src/store/index.js";
import { requireTools, silenceWav, TestBed, wordOverlap } from "../bed/index.js";
import { callerWav, startE2eService, transcribeSpan, voicedSpans, waitFor } from "./e2e-helpers.js";

const greeting = "Thanks for calling. How can I help?";
const hoursAnswer = "We're open Monday to Friday, from nine in the morning to five in the evening.";

describe("issue 6: a conversation over a real SIP call", { timeout: 240_000 }, () => {
  requireTools(["baresip", "flite", "pocketsphinx_continuous", "sox", "soxi"]);
  let bed: TestBed;
  let service: ServiceHandle | undefined;
  before(() => {
    bed = new TestBed("ringagent-e2e6-");
  });
  after(async () => {
    await service?.stop();
    await bed.close();
  });

  test("greeting, a scripted answer, and a transfer to the operator (REFER)", async () => {
    const work = await bed.path("work");
    const bobWav = await silenceWav(`${work}/bob-silence.wav`, 30);
    const bob = await bed.baresip({
      name: "bob",
      account: { kind: "local", user: "bob" },
      sourceWav: bobWav,
      audioCodecs: ["PCMU"],
      wideband: false,
    });
    const started = await startE2eService({
      dir: work,
      agent: {
        tools: ["transfer", "end_call", "take_message"],
        transferTargets: { operator: bob.directUri },
      },
    });
    service = started.service;
    const script = await callerWav(work, "alice", [
      { silenceS: 4.5 },
      { say: "what are your hours" },
      { silenceS: 8 },
      { say: "operator" },
      { silenceS: 12 },
    ]);
    const alice = await bed.baresip({
      name: "alice",
      account: { kind: "local", user: "alice" },
      sourceWav: script.path,
      audioCodecs: ["PCMU"],
      wideband: false,
    });
    await alice.ctrl.dial(started.agentUri);
    await alice.ctrl.waitForEvent("CALL_ESTABLISHED", { timeoutMs: 10_000 });
    // The transfer: baresip follows the REFER with a call to bob, who answers.
    await bob.ctrl.waitForEvent("CALL_ESTABLISHED", { timeoutMs: 45_000 });
    const page = await service.store.listCalls();
    const callId = page.calls[0]?.id;
    assert.ok(callId);
    await waitFor(
      "the call to end as transferred",
      async () => (await service?.store.getCall(callId))?.call.status === "ended",
      15_000,
    );
    await service.journal.flush();
    const detail = await service.store.getCall(callId);
    assert.ok(detail);
    assert.equal(detail.call.outcome, "transferred");
    assert.equal(detail.call.endReason, "transferred");
    assert.ok(
      detail.events.some((e) => e.type === "transfer"),
      "the transfer is journaled",
    );
    const turnTexts = detail.turns.map((t) => `${t.callerText} => ${t.agentText}`);
    console.log(`turns: ${JSON.stringify(turnTexts)}`);
    assert.ok(
      detail.turns.some((t) => t.agentText.includes("nine in the morning")),
      "the hours were answered",
    );
    assert.ok(
      detail.turns.some((t) => t.agentText.includes("transfer you")),
      "the transfer was announced",
    );

    // What alice heard (baresip's decoded recording, 8 kHz): greeting, then the hours.
    await alice.ctrl.hangup().catch(() => undefined);
    await bob.ctrl.hangup().catch(() => undefined);
    const heard = (await alice.recordings()).received[0];
    assert.ok(heard, "baresip recorded what it received");
    const wav = await readWavFile(heard);
    const spans = voicedSpans(wav, 0, { gapMs: 400 });
    console.log(`agent speech heard by the caller (s): ${JSON.stringify(spans)}`);
    const first = spans[0];
    assert.ok(first, "the caller heard something");
    assert.ok(first.startS < 1.5, `the greeting starts ${first.startS} s into the call`);
    const greetingText = await transcribeSpan(wav, 0, first.startS - 0.2, first.endS + 0.3, work);
    console.log(`greeting transcript: "${greetingText}"`);
    assert.ok(
      wordOverlap(greeting, greetingText) >= 0.4 && /calling/.test(greetingText),
      `greeting heard as "${greetingText}"`,
    );
    const askedAt = script.spans[0]?.endS ?? 0;
    const answer = spans.find((s) => s.startS > askedAt);
    assert.ok(answer, "an answer followed the question");
    const answerText = await transcribeSpan(wav, 0, answer.startS - 0.2, answer.endS + 0.3, work);
    console.log(
      `answer transcript: "${answerText}" (starts ${(answer.startS - askedAt).toFixed(2)} s after the question ended)`,
    );
    assert.ok(wordOverlap(hoursAnswer, answerText) >= 0.35, `answer heard as "${answerText}"`);
  });

  test("barge-in: talking over a long answer stops it within 200 ms (agent's stereo recording)", async () => {
    const work = await bed.path("work-barge");
    await service?.stop();
    const started = await startE2eService({ dir: work, agent: { tools: ["end_call"] } });
    service = started.service;
    const script = await callerWav(work, "carol", [
      { silenceS: 4.5 },
      { say: "what are your hours" },
      { silenceS: 3.2 },
      { say: "wait, where are you located" },
      { silenceS: 8 },
    ]);
    const carol = await bed.baresip({
      name: "carol",
      account: { kind: "local", user: "carol" },
      sourceWav: script.path,
      audioCodecs: ["PCMU"],
      wideband: false,
    });
    await carol.ctrl.dial(started.agentUri);
    await carol.ctrl.waitForEvent("CALL_ESTABLISHED", { timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 16_000));
    await carol.ctrl.hangup();
    const callId = (await service.store.listCalls()).calls[0]?.id;
    assert.ok(callId);
    await waitFor(
      "the call to end",
      async () => (await service?.store.getCall(callId))?.call.status === "ended",
      10_000,
    );
    await service.journal.flush();
    const detail = await service.store.getCall(callId);
    assert.ok(detail?.call.recordingPath);
    console.log(
      `turns: ${JSON.stringify(detail.turns.map((t) => [t.callerText, t.agentText, t.interrupted]))}`,
    );
    assert.ok(
      detail.events.some((e) => e.type === "barge_in"),
      "a barge-in was journaled",
    );
    const wav = await readWavFile(detail.call.recordingPath);
    const caller = voicedSpans(wav, 0, { gapMs: 250 });
    const agent = voicedSpans(wav, 1, { gapMs: 250 });
    // The caller's second utterance (the barge-in) and the agent speech it overlapped.
    const bargeIn = caller[1];
    assert.ok(bargeIn, `the caller spoke twice: ${JSON.stringify(caller)}`);
    const cut = agent.find((s) => s.startS < bargeIn.startS && s.endS > bargeIn.startS);
    assert.ok(
      cut,
      `agent audio overlapped the barge-in: agent ${JSON.stringify(agent)} caller ${JSON.stringify(caller)}`,
    );
    const reactionMs = Math.round((cut.endS - bargeIn.startS) * 1000);
    console.log(`barge-in: agent audio ended ${reactionMs} ms after the caller's speech onset`);
    assert.ok(reactionMs <= 200, `agent audio ended ${reactionMs} ms after the caller started`);
    const cutTurn = detail.turns.find((t) => t.interrupted);
    assert.ok(cutTurn, "the interrupted turn is marked");
    assert.ok(!cutTurn.agentText.includes("five in the evening"), "its text is trimmed to what was heard");
  });
});
