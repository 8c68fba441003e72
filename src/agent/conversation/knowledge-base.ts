/**
 * The lookup tool's knowledge: questions and answers from a YAML file (`- q: ... a: ...`, or a map
 * question -> answer) or a markdown file (`## question` headings, the answer below each), matched
 * by simple keyword overlap.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { RingagentError } from "../../shared/index.js";

export interface KnowledgeEntry {
  readonly question: string;
  readonly answer: string;
}

const stopWords = new Set(
  "a an the is are was were do does did of to in on at for and or what when where who how why which can could you your our we i me my it this that be with from about please".split(
    " ",
  ),
);

export function keywords(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9']+/g) ?? [])
    .map((w) => w.replace(/'s$/, ""))
    .filter((w) => w.length > 1 && !stopWords.has(w));
}

function fromYaml(text: string): KnowledgeEntry[] {
  const raw: unknown = parse(text);
  const entries: KnowledgeEntry[] = [];
  if (Array.isArray(raw)) {
    for (const item of raw) {
      if (item === null || typeof item !== "object") continue;
      const q: unknown = "q" in item ? item.q : "question" in item ? item.question : undefined;
      const a: unknown = "a" in item ? item.a : "answer" in item ? item.answer : undefined;
      if (typeof q === "string" && typeof a === "string") entries.push({ question: q, answer: a.trim() });
    }
  } else if (raw !== null && typeof raw === "object") {
    for (const [q, a] of Object.entries(raw)) {
      if (typeof a === "string") entries.push({ question: q, answer: a.trim() });
    }
  }
  return entries;
}

function fromMarkdown(text: string): KnowledgeEntry[] {
  const entries: KnowledgeEntry[] = [];
  let question: string | undefined;
  let answer: string[] = [];
  const close = (): void => {
    const a = answer.join(" ").replace(/\s+/g, " ").trim();
    if (question !== undefined && a.length > 0) entries.push({ question, answer: a });
    answer = [];
  };
  for (const line of text.split(/\r?\n/)) {
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) {
      close();
      question = heading[1]?.trim();
    } else if (question !== undefined) {
      answer.push(line.trim());
    }
  }
  close();
  return entries;
}

export class KnowledgeBase {
  readonly entries: readonly KnowledgeEntry[];

  constructor(entries: readonly KnowledgeEntry[]) {
    this.entries = entries;
  }

  /** Reads a `.md`/`.markdown` file as markdown, anything else as YAML. */
  static load(path: string): KnowledgeBase {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      throw new RingagentError("agent_knowledge_missing", `knowledge file not found: ${path}`, {
        cause: error,
      });
    }
    try {
      return KnowledgeBase.parse(text, /\.(md|markdown)$/i.test(path) ? "markdown" : "yaml");
    } catch (error) {
      throw new RingagentError("agent_knowledge_invalid", `knowledge file is not valid: ${path}`, {
        cause: error,
      });
    }
  }

  static parse(text: string, format: "yaml" | "markdown"): KnowledgeBase {
    return new KnowledgeBase(format === "markdown" ? fromMarkdown(text) : fromYaml(text));
  }

  /** The best answer for `query` (most shared keywords with the question, then the answer), if any. */
  lookup(query: string): KnowledgeEntry | undefined {
    const wanted = new Set(keywords(query));
    if (wanted.size === 0) return undefined;
    let best: KnowledgeEntry | undefined;
    let bestScore = 0;
    for (const entry of this.entries) {
      const q = new Set(keywords(entry.question));
      const a = new Set(keywords(entry.answer));
      let score = 0;
      for (const w of wanted) score += q.has(w) ? 2 : a.has(w) ? 1 : 0;
      if (score > bestScore) {
        best = entry;
        bestScore = score;
      }
    }
    return best;
  }
}
