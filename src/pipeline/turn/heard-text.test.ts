import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { estimateWordTimings, heardWords, wordStartAtOrBefore } from "./heard-text.js";

describe("heard text", () => {
  test("per-character timing maps a playout position to the words heard", () => {
    const words = estimateWordTimings("call me back tomorrow", 2000);
    assert.equal(words.length, 4);
    assert.ok(Math.abs((words.at(-1)?.endMs ?? 0) - 2000) < 1e-9);
    assert.deepEqual(heardWords(words, 0), []);
    assert.deepEqual(heardWords(words, 900), ["call", "me"]); // "back" is 727-1182 ms: under half played
    assert.deepEqual(heardWords(words, 1000), ["call", "me", "back"]);
    assert.deepEqual(heardWords(words, 2000), ["call", "me", "back", "tomorrow"]);
    assert.equal(wordStartAtOrBefore(words, 1000), words[2]?.startMs);
  });
});
