import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PipelineHarness } from "../testing/pipeline-harness.js";

describe("conversation pipeline: turns", () => {
  test("greeting plays, then a caller turn gets a reply after endpointing", async () => {
    const h = new PipelineHarness({ pipeline: { greeting: "Hello there." } });
    h.start();
    await h.run(1500);
    assert.ok(h.sink.sent.length > 0, "greeting audio was sent");
    assert.equal(h.pipeline.state, "listening");
    h.say("what are your hours", 800).silence(2000);
    await h.run(3000);
    const turns = h.events("user_turn");
    assert.equal(turns.length, 1);
    assert.equal(turns[0]?.text, "what are your hours");
    const messages = h.pipeline.history.messages();
    assert.deepEqual(
      messages.map((m) => [m.role, m.content]),
      [
        ["assistant", "Hello there."],
        ["user", "what are your hours"],
        ["assistant", "You said what are your hours."],
      ],
    );
    const metrics = h.events("turn_metrics");
    assert.equal(metrics.length, 1);
    assert.ok((metrics[0]?.endpointingMs ?? 0) >= 500, `endpointing ${metrics[0]?.endpointingMs}`);
    h.stop();
  });
});
