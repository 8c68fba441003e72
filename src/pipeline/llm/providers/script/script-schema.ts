import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";
import { RingagentError } from "../../../../shared/index.js";

const slotSchema = z.strictObject({
  name: z.string().regex(/^[a-z_][a-z0-9_]*$/i, "slot names use letters, digits and _"),
  /** name: a person's name; phone: a number said digit by digit (7+ digits); text: anything. */
  type: z.enum(["name", "phone", "text"]),
  prompt: z.string().min(1),
  /** Said when the answer does not fit the type (phone only). */
  retry: z.string().min(1).optional(),
});

const actionSchema = z.strictObject({
  tool: z.string().min(1),
  /** Values may use {slot} placeholders. */
  arguments: z.record(z.string(), z.string()).default({}),
});

const intentSchema = z.strictObject({
  name: z.string().min(1),
  examples: z.array(z.string().min(1)).default([]),
  keywords: z.array(z.string().min(1)).default([]),
  slots: z.array(slotSchema).default([]),
  /** Said once the slots are filled (placeholders allowed); may be omitted for a silent action. */
  reply: z.string().default(""),
  action: actionSchema.optional(),
});

export const conversationScriptSchema = z.strictObject({
  greeting: z.string().optional(),
  fallback: z.string().min(1),
  /** Minimum match score for an intent (keyword hit = 1, example similarity 0..2). */
  threshold: z.number().min(0).default(0.5),
  intents: z.array(intentSchema).min(1),
});

export type ConversationScript = z.infer<typeof conversationScriptSchema>;
export type ScriptIntent = ConversationScript["intents"][number];
export type ScriptSlot = ScriptIntent["slots"][number];

/** The default receptionist script shipped beside this file. */
export const defaultReceptionistScriptPath = new URL("./receptionist.script.yaml", import.meta.url);

/** Parses and validates a script; problems name the field (`intents.2.slots.0.type: ...`). */
export function parseConversationScript(text: string): ConversationScript {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new RingagentError("llm_script_invalid", "the conversation script is not valid YAML", {
      cause: error,
    });
  }
  const result = conversationScriptSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new RingagentError(
      "llm_script_invalid",
      `invalid conversation script:\n  - ${problems.join("\n  - ")}`,
    );
  }
  return result.data;
}

export function loadConversationScript(
  path: string | URL = defaultReceptionistScriptPath,
): ConversationScript {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new RingagentError("llm_script_missing", `conversation script not found: ${String(path)}`, {
      cause: error,
    });
  }
  return parseConversationScript(text);
}
