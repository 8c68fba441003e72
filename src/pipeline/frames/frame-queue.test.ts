import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { silentFrame } from "../../media/index.js";
import { RingagentError } from "../../shared/index.js";
import { FrameQueue } from "./frame-queue.js";
import type { PipelineFrame } from "./pipeline-frame.js";

const audio = (atMs: number): PipelineFrame => ({ kind: "caller_audio", frame: silentFrame(16000), atMs });

describe("frame queue", () => {
  test("system frames overtake queued data frames; data stays in order", () => {
    const q = new FrameQueue();
    q.push(audio(1));
    q.push({ kind: "llm_text", responseId: 1, text: "a" });
    q.push({ kind: "caller_started_speaking", atMs: 3 });
    q.push({ kind: "cancel", reason: "caller_hangup" });
    const kinds: string[] = [];
    for (let f = q.shift(); f !== undefined; f = q.shift()) kinds.push(f.kind);
    assert.deepEqual(kinds, ["caller_started_speaking", "cancel", "caller_audio", "llm_text"]);
  });

  test("interruption drops stale data but keeps tool results and end", () => {
    const q = new FrameQueue();
    q.push({ kind: "llm_text", responseId: 1, text: "old" });
    q.push({ kind: "tts_audio", speechId: 4, frame: silentFrame(16000) });
    q.push({
      kind: "tool_result",
      responseId: 1,
      call: { id: "c", name: "transfer", arguments: {} },
      content: "ok",
      endCall: false,
    });
    q.push({ kind: "end", reason: "tool", goodbye: undefined });
    q.push({ kind: "llm_text", responseId: 2, text: "new" });
    q.dropData(
      (f) =>
        ("responseId" in f && f.responseId === 1) ||
        ("speechId" in f && f.speechId === 4) ||
        f.kind === "end",
    );
    const kinds: string[] = [];
    for (let f = q.shift(); f !== undefined; f = q.shift()) kinds.push(f.kind);
    assert.deepEqual(kinds, ["tool_result", "end", "llm_text"]);
    assert.equal(q.dropped, 2);
  });

  test("a waiting consumer wakes on push and is rejected by close", async () => {
    const q = new FrameQueue();
    const waiting = q.wait();
    q.push(audio(1));
    await waiting;
    assert.equal(q.shift()?.kind, "caller_audio");
    const pending = q.wait();
    q.close(new RingagentError("closed", "closed"));
    await assert.rejects(pending, (e: unknown) => e instanceof RingagentError && e.code === "closed");
    q.push(audio(2));
    assert.equal(q.size, 0, "a closed queue takes nothing");
  });
});
