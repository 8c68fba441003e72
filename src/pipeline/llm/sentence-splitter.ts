/**
 * Cuts streamed LLM text into sentences so the first one is spoken while the LLM writes the rest.
 * A sentence ends at . ! ? (or a newline) followed by whitespace; common abbreviations and numbers
 * such as "3.5" do not end one.
 */
const abbreviations = new Set(["mr.", "mrs.", "ms.", "dr.", "st.", "vs.", "e.g.", "i.e.", "etc.", "no."]);

export class SentenceSplitter {
  #buffer = "";
  readonly #minChars: number;

  constructor(options: { minChars?: number } = {}) {
    this.#minChars = options.minChars ?? 2;
  }

  /** Appends text; returns the sentences it completed. */
  push(text: string): string[] {
    this.#buffer += text;
    const out: string[] = [];
    let searchFrom = 0;
    for (;;) {
      const end = this.#findEnd(searchFrom);
      if (end < 0) break;
      const sentence = this.#buffer.slice(0, end + 1).trim();
      if (sentence.length >= this.#minChars) {
        out.push(sentence);
        this.#buffer = this.#buffer.slice(end + 1);
        searchFrom = 0;
      } else {
        searchFrom = end + 1;
      }
    }
    return out;
  }

  /** The rest of the text (the LLM finished). */
  flush(): string | undefined {
    const rest = this.#buffer.trim();
    this.#buffer = "";
    return rest.length > 0 ? rest : undefined;
  }

  #findEnd(from: number): number {
    const b = this.#buffer;
    for (let i = from; i < b.length - 1; i++) {
      const c = b[i];
      const next = b[i + 1] ?? "";
      if (c === "\n") return i;
      if ((c === "." || c === "!" || c === "?") && /\s/.test(next)) {
        if (c === ".") {
          const wordStart = b.lastIndexOf(" ", i) + 1;
          if (abbreviations.has(b.slice(wordStart, i + 1).toLowerCase())) continue;
        }
        return i;
      }
    }
    return -1;
  }
}
