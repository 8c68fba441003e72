/**
 * A small bigram language model in ARPA text, built from example sentences, so pocketsphinx listens
 * for what the agent can understand (a few hundred words instead of the 130k of en-us.lm.bin: a
 * much smaller search, several times less CPU, and fewer near-miss words).
 *
 * Estimation: Witten-Bell discounting with backoff. For a history h seen c(h) times followed by
 * T(h) distinct words, a seen bigram gets P(w|h) = c(h,w) / (c(h) + T(h)); the mass left,
 * T(h) / (c(h) + T(h)), goes to the unseen words in proportion to their unigram probability, which
 * the ARPA backoff weight expresses: bow(h) = left / (1 - sum of P(w) over the words seen after h).
 * Unigrams are add-one smoothed over the vocabulary. Sentences are wrapped in <s> ... </s>.
 */

export interface ArpaModel {
  /** The ARPA text (unigrams and bigrams, log10 probabilities and backoff weights). */
  readonly text: string;
  /** Words kept (in the dictionary), sorted. */
  readonly vocabulary: readonly string[];
  /** Words dropped because the dictionary has no pronunciation for them, sorted. */
  readonly outOfVocabulary: readonly string[];
}

const sentenceStart = "<s>";
const sentenceEnd = "</s>";

/** Lower-case words of a sentence (letters, digits, apostrophes). */
export function sentenceWords(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9']+/g) ?? [];
}

/**
 * Builds the model. Out-of-vocabulary words are dropped and cut the sentence there (no bigram
 * spans a dropped word). `isWord` is the dictionary check (e.g. a set from {@link readDictionaryWords}).
 */
export function buildArpaModel(sentences: readonly string[], isWord: (word: string) => boolean): ArpaModel {
  const unigramCounts = new Map<string, number>();
  const bigramCounts = new Map<string, Map<string, number>>();
  const oov = new Set<string>();
  const countUnigram = (w: string): void => {
    unigramCounts.set(w, (unigramCounts.get(w) ?? 0) + 1);
  };
  const countBigram = (h: string, w: string): void => {
    let next = bigramCounts.get(h);
    if (next === undefined) {
      next = new Map();
      bigramCounts.set(h, next);
    }
    next.set(w, (next.get(w) ?? 0) + 1);
  };
  for (const sentence of sentences) {
    let run: string[] = [];
    const flush = (): void => {
      if (run.length === 0) return;
      const chain = [sentenceStart, ...run, sentenceEnd];
      for (let i = 1; i < chain.length; i++) {
        countUnigram(chain[i] as string);
        countBigram(chain[i - 1] as string, chain[i] as string);
      }
      run = [];
    };
    for (const w of sentenceWords(sentence)) {
      if (isWord(w)) run.push(w);
      else {
        oov.add(w);
        flush();
      }
    }
    flush();
  }
  const words = [...unigramCounts.keys()].filter((w) => w !== sentenceEnd).sort();
  // Unigrams: add-one over the words and </s>; <s> is never predicted (ARPA convention -99).
  const predicted = [...words, ...(unigramCounts.has(sentenceEnd) ? [sentenceEnd] : [])];
  let total = 0;
  for (const w of predicted) total += unigramCounts.get(w) ?? 0;
  const unigram = new Map<string, number>();
  for (const w of predicted) unigram.set(w, ((unigramCounts.get(w) ?? 0) + 1) / (total + predicted.length));

  const bigramLines: string[] = [];
  const backoff = new Map<string, number>();
  for (const h of [sentenceStart, ...words]) {
    const next = bigramCounts.get(h);
    if (next === undefined) continue;
    let seen = 0;
    let seenUnigramMass = 0;
    for (const [w, c] of next) {
      seen += c;
      seenUnigramMass += unigram.get(w) ?? 0;
    }
    const types = next.size;
    for (const w of [...next.keys()].sort()) {
      const p = (next.get(w) ?? 0) / (seen + types);
      bigramLines.push(`${log10(p)} ${h} ${w}`);
    }
    const left = types / (seen + types);
    const unseenMass = 1 - seenUnigramMass;
    // Every word seen after h: nothing left to back off to (weight 1, never used).
    backoff.set(h, unseenMass > 1e-9 ? left / unseenMass : 1);
  }

  const unigramLines: string[] = [`-99.0000 ${sentenceStart} ${log10(backoff.get(sentenceStart) ?? 1)}`];
  for (const w of predicted) {
    const bow = backoff.get(w);
    const p = log10(unigram.get(w) ?? 0);
    unigramLines.push(bow === undefined ? `${p} ${w}` : `${p} ${w} ${log10(bow)}`);
  }
  const text = [
    "\\data\\",
    `ngram 1=${unigramLines.length}`,
    `ngram 2=${bigramLines.length}`,
    "",
    "\\1-grams:",
    ...unigramLines,
    "",
    "\\2-grams:",
    ...bigramLines,
    "",
    "\\end\\",
    "",
  ].join("\n");
  return { text, vocabulary: words, outOfVocabulary: [...oov].sort() };
}

function log10(p: number): string {
  return Math.log10(p).toFixed(4);
}
