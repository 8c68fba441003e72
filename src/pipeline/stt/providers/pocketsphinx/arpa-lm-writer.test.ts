import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildArpaModel, sentenceWords } from "./arpa-lm-writer.js";

/** A minimal ARPA reader for the checks: log10 probabilities and backoff weights. */
function readArpa(text: string): {
  counts: Map<number, number>;
  unigrams: Map<string, { logP: number; logBow: number }>;
  bigrams: Map<string, number>;
} {
  const lines = text.split("\n");
  assert.equal(lines[0], "\\data\\");
  assert.equal(lines.at(-2), "\\end\\");
  const counts = new Map<number, number>();
  const unigrams = new Map<string, { logP: number; logBow: number }>();
  const bigrams = new Map<string, number>();
  let section = 0;
  for (const line of lines.slice(1)) {
    const declared = /^ngram (\d+)=(\d+)$/.exec(line);
    if (declared !== null) {
      counts.set(Number(declared[1]), Number(declared[2]));
      continue;
    }
    if (line === "\\1-grams:") section = 1;
    else if (line === "\\2-grams:") section = 2;
    else if (line === "\\end\\") section = 0;
    else if (line.length > 0 && section > 0) {
      const f = line.split(" ");
      const logP = Number(f[0]);
      assert.ok(Number.isFinite(logP) && logP <= 0, line);
      if (section === 1) {
        assert.ok(f.length === 2 || f.length === 3, line);
        unigrams.set(f[1] as string, { logP, logBow: f.length === 3 ? Number(f[2]) : 0 });
      } else {
        assert.equal(f.length, 3, line);
        bigrams.set(`${f[1]} ${f[2]}`, logP);
      }
    }
  }
  return { counts, unigrams, bigrams };
}

const known = new Set(["what", "are", "your", "hours", "where", "located", "you", "open", "today", "yes"]);
const isWord = (w: string): boolean => known.has(w);

describe("ARPA language model writer", () => {
  const model = buildArpaModel(
    ["What are your hours?", "where are you located", "are you open today", "yes", "are you zorblax today"],
    isWord,
  );
  const arpa = readArpa(model.text);

  test("is well-formed: declared counts match the sections, <s> and </s> present", () => {
    assert.equal(arpa.counts.get(1), arpa.unigrams.size);
    assert.equal(arpa.counts.get(2), arpa.bigrams.size);
    assert.equal(arpa.unigrams.get("<s>")?.logP, -99);
    assert.ok(arpa.unigrams.has("</s>"));
    assert.deepEqual(model.vocabulary, [...known].sort());
  });

  test("drops out-of-vocabulary words and never bridges a bigram across them", () => {
    assert.deepEqual(model.outOfVocabulary, ["zorblax"]);
    assert.equal(arpa.unigrams.has("zorblax"), false);
    // "are you zorblax today" becomes "<s> are you </s>" and "<s> today </s>".
    assert.equal(arpa.bigrams.has("you today"), false);
    assert.ok(arpa.bigrams.has("<s> today"));
    assert.ok(arpa.bigrams.has("you </s>"));
  });

  test("unigram probabilities sum to 1 (without <s>)", () => {
    let sum = 0;
    for (const [w, u] of arpa.unigrams) if (w !== "<s>") sum += 10 ** u.logP;
    assert.ok(Math.abs(sum - 1) < 1e-3, String(sum));
  });

  test("with backoff, every history's next-word distribution sums to 1", () => {
    const predicted = [...arpa.unigrams.keys()].filter((w) => w !== "<s>");
    for (const [h, u] of arpa.unigrams) {
      if (h === "</s>") continue;
      let sum = 0;
      for (const w of predicted) {
        const seen = arpa.bigrams.get(`${h} ${w}`);
        sum += seen !== undefined ? 10 ** seen : 10 ** (u.logBow + (arpa.unigrams.get(w)?.logP ?? -99));
      }
      assert.ok(Math.abs(sum - 1) < 2e-3, `${h}: ${sum}`);
    }
  });

  test("seen bigrams beat backing off: P(are | what) > P(hours | what)", () => {
    const seen = arpa.bigrams.get("what are");
    const what = arpa.unigrams.get("what");
    const hours = arpa.unigrams.get("hours");
    assert.ok(seen !== undefined && what !== undefined && hours !== undefined);
    assert.ok(seen > what.logBow + hours.logP);
    // Witten-Bell: "are" follows "what" once, one type: 1 / (1 + 1).
    assert.ok(Math.abs(seen - Math.log10(0.5)) < 1e-3);
  });

  test("no sentences (or only unknown words): still a valid model with <s>", () => {
    const empty = buildArpaModel(["qwxz blorf"], isWord);
    const parsed = readArpa(empty.text);
    assert.equal(parsed.unigrams.get("<s>")?.logP, -99);
    assert.deepEqual(empty.outOfVocabulary, ["blorf", "qwxz"]);
  });

  test("sentence words: lower case, punctuation dropped, apostrophes kept", () => {
    assert.deepEqual(sentenceWords("That's ALL, thank you!"), ["that's", "all", "thank", "you"]);
  });
});
