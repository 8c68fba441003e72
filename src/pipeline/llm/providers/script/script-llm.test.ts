import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RingagentError } from "../../../../shared/index.js";
import type { ChatMessage } from "../../../history/conversation-history.js";
import type { LlmEvent } from "../../llm-types.js";
import { parsePhoneNumber, ScriptLlmProvider } from "./script-llm.js";
import { loadConversationScript, parseConversationScript } from "./script-schema.js";

async function turn(llm: ScriptLlmProvider, history: ChatMessage[], said: string): Promise<LlmEvent[]> {
  history.push({ role: "user", content: said });
  const events: LlmEvent[] = [];
  for await (const e of llm.stream({ messages: history, tools: [], signal: new AbortController().signal }))
    events.push(e);
  const text = events.flatMap((e) => (e.kind === "text" ? [e.text] : [])).join("");
  history.push({ role: "assistant", content: text });
  return events;
}

const text = (events: LlmEvent[]) => events.flatMap((e) => (e.kind === "text" ? [e.text] : [])).join("");
const tools = (events: LlmEvent[]) => events.flatMap((e) => (e.kind === "tool_call" ? [e.call] : []));

describe("script LLM (default receptionist)", () => {
  const script = loadConversationScript();

  test("intents: hours, address, operator -> transfer, bye -> end_call, fallback", async () => {
    const llm = new ScriptLlmProvider(script);
    const h: ChatMessage[] = [];
    assert.match(text(await turn(llm, h, "what are your hours")), /Monday to Friday/);
    assert.match(text(await turn(llm, h, "where are you located")), /Main Street/);
    const transfer = await turn(llm, h, "can i talk to a person please");
    assert.match(text(transfer), /transfer you/);
    assert.deepEqual(tools(transfer), [{ id: "script-1", name: "transfer", arguments: { to: "operator" } }]);
    assert.equal(text(await turn(llm, h, "purple elephants dancing")), script.fallback);
    const bye = await turn(llm, h, "ok that's all thank you bye");
    assert.equal(tools(bye)[0]?.name, "end_call");
  });

  test("take a message: name, callback number (with a retry), message -> take_message", async () => {
    const llm = new ScriptLlmProvider(script);
    const h: ChatMessage[] = [];
    assert.equal(text(await turn(llm, h, "i would like to leave a message")), "Sure. What's your name?");
    assert.equal(
      text(await turn(llm, h, "my name is john smith")),
      "What number should we call you back on?",
    );
    assert.match(text(await turn(llm, h, "i don't know")), /digit by digit/);
    assert.equal(text(await turn(llm, h, "five five five one two three four")), "And what's your message?");
    const done = await turn(llm, h, "please call me about the invoice");
    assert.equal(
      text(done),
      "Thanks John Smith. We'll call you back at 5 5 5 1 2 3 4. Is there anything else?",
    );
    assert.deepEqual(tools(done)[0]?.arguments, {
      name: "John Smith",
      number: "5551234",
      message: "please call me about the invoice",
    });
    // After the tool result the script says nothing more.
    h.push({ role: "tool", toolCallId: "script-1", name: "take_message", content: "saved" });
    const after: LlmEvent[] = [];
    for await (const e of llm.stream({ messages: h, tools: [], signal: new AbortController().signal }))
      after.push(e);
    assert.deepEqual(after, []);
  });

  test("phone numbers from recognizer words", () => {
    assert.equal(parsePhoneNumber("oh two oh double seven four for nine"), "02077449");
    assert.equal(parsePhoneNumber("one two three"), undefined);
    assert.equal(parsePhoneNumber("my number is 555 1234"), "5551234");
  });

  test("an invalid script names the field", () => {
    assert.throws(
      () =>
        parseConversationScript(
          "fallback: hi\nintents:\n  - name: x\n    slots: [{ name: a, type: date, prompt: p }]\n",
        ),
      (e: unknown) =>
        e instanceof RingagentError &&
        e.code === "llm_script_invalid" &&
        /intents\.0\.slots\.0\.type/.test(e.message),
    );
    assert.throws(
      () => parseConversationScript("intents: [\n"),
      (e: unknown) => e instanceof RingagentError && e.code === "llm_script_invalid",
    );
  });
});
