import { digitWords, namePrefixes, words } from "./script-llm.js";
import type { ConversationScript } from "./script-schema.js";

const homophones = new Set(["o", "won", "to", "too", "for", "ate"]);

/**
 * What a caller of this script is expected to say, as lower-case sentences: every intent's examples
 * and keywords, and for each slot the answers the script can parse (names after "my name is"...,
 * phone numbers said digit by digit). A speech recognizer builds its language model from these
 * (pocketsphinx: a small n-gram model), so it listens for what the agent can understand.
 */
export function scriptVocabulary(script: ConversationScript): string[] {
  const out = new Set<string>();
  const add = (text: string): void => {
    const w = words(text);
    if (w.length > 0) out.add(w.join(" "));
  };
  // The digits' own names (the parser also takes homophones such as "for", "ate": not listened for).
  const digits = Object.keys(digitWords).filter((d) => !homophones.has(d));
  for (const intent of script.intents) {
    for (const e of intent.examples) add(e);
    for (const k of intent.keywords) add(k);
    for (const slot of intent.slots) {
      if (slot.type === "name") for (const p of namePrefixes) add(p);
      if (slot.type === "phone") {
        // Each digit after each other digit, so every digit pair has a bigram.
        for (const d of digits) add(digits.map((e) => `${d} ${e}`).join(" "));
        add("double");
        add("triple");
      }
    }
  }
  return [...out];
}
