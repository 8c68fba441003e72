import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SentenceSplitter } from "./sentence-splitter.js";

describe("sentence splitter", () => {
  test("first sentence out as soon as it ends, abbreviations and decimals kept", () => {
    const s = new SentenceSplitter();
    assert.deepEqual(s.push("Hello"), []);
    assert.deepEqual(s.push(" there. Dr. Smith"), ["Hello there."]);
    assert.deepEqual(s.push(" charges 3.5 dollars! Ok"), ["Dr. Smith charges 3.5 dollars!"]);
    assert.equal(s.flush(), "Ok");
    assert.equal(s.flush(), undefined);
  });
});
