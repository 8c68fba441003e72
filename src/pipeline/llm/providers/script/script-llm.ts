import type { ToolCall } from "../../../history/conversation-history.js";
import type { LlmEvent, LlmProvider, LlmRequest } from "../../llm-types.js";
import type { ConversationScript, ScriptIntent, ScriptSlot } from "./script-schema.js";

export const digitWords: Readonly<Record<string, string>> = {
  zero: "0",
  oh: "0",
  o: "0",
  one: "1",
  won: "1",
  two: "2",
  to: "2",
  too: "2",
  three: "3",
  four: "4",
  for: "4",
  five: "5",
  six: "6",
  seven: "7",
  eight: "8",
  ate: "8",
  nine: "9",
};

export const namePrefixes = ["my name is", "this is", "it's", "it is", "i am", "i'm", "name's", "call me"];

/** Words in any script (Latin, Cyrillic...): letters, digits and apostrophes; ё is folded to е. */
export function words(text: string): string[] {
  return (
    text
      .toLowerCase()
      .replaceAll("ё", "е")
      .match(/[\p{L}\p{N}']+/gu) ?? []
  );
}

/** Digits said one by one ("five five five one two three four" -> "5551234"); undefined if < 7. */
export function parsePhoneNumber(text: string): string | undefined {
  let digits = "";
  let repeat = 1;
  for (const w of words(text)) {
    if (w === "double" || w === "triple") {
      repeat = w === "double" ? 2 : 3;
      continue;
    }
    const d = /^[0-9]+$/.test(w) ? w : digitWords[w];
    if (d === undefined) continue;
    digits += d.repeat(repeat);
    repeat = 1;
  }
  return digits.length >= 7 && digits.length <= 15 ? digits : undefined;
}

export function parseName(text: string): string | undefined {
  let t = text.trim().toLowerCase();
  for (const p of namePrefixes) if (t.startsWith(`${p} `)) t = t.slice(p.length + 1);
  const name = words(t)
    .slice(0, 3)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(" ");
  return name.length > 0 ? name : undefined;
}

function similarity(a: readonly string[], b: readonly string[]): number {
  const sa = new Set(a);
  const sb = new Set(b);
  let common = 0;
  for (const w of sa) if (sb.has(w)) common++;
  const union = sa.size + sb.size - common;
  return union === 0 ? 0 : common / union;
}

/** Match score of an utterance for an intent: keyword hits (1 each) + 2 x best example similarity. */
export function scoreIntent(intent: ScriptIntent, text: string): number {
  const said = words(text);
  const padded = ` ${said.join(" ")} `;
  let score = 0;
  for (const k of intent.keywords) if (padded.includes(` ${words(k).join(" ")} `)) score += 1;
  let best = 0;
  for (const example of intent.examples) best = Math.max(best, similarity(said, words(example)));
  return score + 2 * best;
}

function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([a-z0-9_]+)\}/gi, (_, name: string) => values[name] ?? "");
}

interface Form {
  readonly intent: ScriptIntent;
  slot: number;
  readonly values: Record<string, string>;
  /** How values are read back (a phone number digit by digit). */
  readonly spoken: Record<string, string>;
}

/**
 * The offline default "LLM": a deterministic conversation script. One instance per call (it keeps
 * the slot-filling state). Replies come as one text event, actions as tool calls.
 */
export class ScriptLlmProvider implements LlmProvider {
  readonly name = "script";
  readonly script: ConversationScript;
  #form: Form | undefined;
  #calls = 0;

  constructor(script: ConversationScript) {
    this.script = script;
  }

  async *stream(request: LlmRequest): AsyncIterable<LlmEvent> {
    const last = request.messages.at(-1);
    if (last === undefined || last.role !== "user") return; // after a tool result: nothing more to say
    for (const event of this.#respond(last.content)) yield event;
  }

  #respond(text: string): LlmEvent[] {
    const form = this.#form;
    if (form !== undefined) return this.#continueForm(form, text);
    let best: ScriptIntent | undefined;
    let bestScore = 0;
    for (const intent of this.script.intents) {
      const score = scoreIntent(intent, text);
      if (score > bestScore) {
        best = intent;
        bestScore = score;
      }
    }
    if (best === undefined || bestScore < this.script.threshold)
      return [{ kind: "text", text: this.script.fallback }];
    if (best.slots.length > 0) {
      const started: Form = { intent: best, slot: 0, values: {}, spoken: {} };
      this.#form = started;
      return [{ kind: "text", text: (best.slots[0] as ScriptSlot).prompt }];
    }
    return this.#complete(best, {}, {});
  }

  #continueForm(form: Form, text: string): LlmEvent[] {
    const slot = form.intent.slots[form.slot] as ScriptSlot;
    const value =
      slot.type === "phone" ? parsePhoneNumber(text) : slot.type === "name" ? parseName(text) : text.trim();
    if (value === undefined || value.length === 0) return [{ kind: "text", text: slot.retry ?? slot.prompt }];
    form.values[slot.name] = value;
    if (slot.type === "phone") form.spoken[slot.name] = value.split("").join(" ");
    form.slot++;
    const next = form.intent.slots[form.slot];
    if (next !== undefined) return [{ kind: "text", text: next.prompt }];
    this.#form = undefined;
    return this.#complete(form.intent, form.values, { ...form.values, ...form.spoken });
  }

  #complete(
    intent: ScriptIntent,
    values: Readonly<Record<string, string>>,
    spoken: Readonly<Record<string, string>>,
  ): LlmEvent[] {
    const events: LlmEvent[] = [];
    const reply = fill(intent.reply, spoken);
    if (reply.length > 0) events.push({ kind: "text", text: reply });
    if (intent.action !== undefined) {
      const args: Record<string, string> = {};
      for (const [k, v] of Object.entries(intent.action.arguments)) args[k] = fill(v, values);
      const call: ToolCall = { id: `script-${++this.#calls}`, name: intent.action.tool, arguments: args };
      events.push({ kind: "tool_call", call });
    }
    return events;
  }
}
