import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ArpaModel, buildArpaModel } from "./arpa-lm-writer.js";
import { genericPhrases } from "./generic-phrases.js";

export interface PhraseLanguageModel extends ArpaModel {
  /** Where the ARPA file was written (named by a hash of its text: same phrases, same file). */
  readonly path: string;
  /**
   * A pronunciation dictionary with only the model's words (every variant), written beside it:
   * a decoder loads it in ~10 ms instead of seconds for the 134k-word one, and takes ~4 MB.
   */
  readonly dictPath: string;
  /** Share (0..1) of the phrases' words (not the generic ones) the dictionary knows. */
  readonly phraseCoverage: number;
}

interface Dictionary {
  readonly words: Set<string>;
  /** Lines by word (with "(2)" variants). */
  readonly lines: Map<string, string[]>;
}

const dictionaries = new Map<string, Dictionary>();

function loadDictionary(dictPath: string): Dictionary {
  const cached = dictionaries.get(dictPath);
  if (cached !== undefined) return cached;
  const lines = new Map<string, string[]>();
  for (const line of readFileSync(dictPath, "utf8").split("\n")) {
    const end = line.search(/\s/);
    if (end <= 0) continue;
    const word = line.slice(0, end).replace(/\(\d+\)$/, "");
    const list = lines.get(word);
    if (list === undefined) lines.set(word, [line]);
    else list.push(line);
  }
  const made = { words: new Set(lines.keys()), lines };
  dictionaries.set(dictPath, made);
  return made;
}

/**
 * Writes the small language model for `phrases` (plus {@link genericPhrases}) for the decoders to
 * load, checking words against the pronunciation dictionary `dictPath` (unknown words are dropped).
 */
export function writePhraseLanguageModel(
  phrases: readonly string[],
  dictPath: string,
  dir: string = join(tmpdir(), "ringagent-pocketsphinx"),
): PhraseLanguageModel {
  const dictionary = loadDictionary(dictPath);
  const phraseWords = phrases.flatMap((p) => p.toLowerCase().split(/\s+/)).filter((w) => w.length > 0);
  const known = phraseWords.filter((w) => dictionary.words.has(w.replace(/[^a-z0-9']/g, ""))).length;
  const model = buildArpaModel([...phrases, ...genericPhrases], (w) => dictionary.words.has(w));
  const dictText = `${model.vocabulary.flatMap((w) => dictionary.lines.get(w) ?? []).join("\n")}\n`;
  const hash = createHash("sha256").update(model.text).update(dictText).digest("hex").slice(0, 16);
  const path = join(dir, `phrases-${hash}.arpa`);
  const smallDictPath = join(dir, `phrases-${hash}.dict`);
  mkdirSync(dir, { recursive: true });
  writeOnce(path, model.text);
  writeOnce(smallDictPath, dictText);
  const phraseCoverage = phraseWords.length === 0 ? 0 : known / phraseWords.length;
  return { ...model, path, dictPath: smallDictPath, phraseCoverage };
}

function writeOnce(path: string, text: string): void {
  if (existsSync(path)) return;
  const partial = `${path}.${process.pid}.tmp`;
  writeFileSync(partial, text);
  renameSync(partial, path); // atomic: a concurrent process never reads half a file
}
