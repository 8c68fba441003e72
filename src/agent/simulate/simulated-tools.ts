/**
 * The conversation tools without a call: each tool is reported and answered as if it had worked, so a
 * simulated conversation goes on as a real one would (a transfer or end_call ends it after the reply).
 */
import type { ToolCall, ToolContext, ToolHandler, ToolResult } from "../../pipeline/index.js";
import { resolveTransferTarget } from "../conversation/call-tools.js";
import type { KnowledgeBase } from "../conversation/knowledge-base.js";

export interface SimulatedToolCall {
  readonly name: string;
  readonly arguments: Readonly<Record<string, unknown>>;
  /** What the simulation did instead (e.g. "transfer to sip:operator@pbx.example (simulated)"). */
  readonly outcome: string;
}

export interface SimulatedToolOptions {
  readonly enabled: ReadonlySet<string>;
  readonly transferTargets: Readonly<Record<string, string>>;
  readonly knowledge: KnowledgeBase | undefined;
  readonly onToolCall: (call: SimulatedToolCall) => void;
}

function text(call: ToolCall, name: string): string {
  const value = call.arguments[name];
  return typeof value === "string" || typeof value === "number" ? String(value).trim() : "";
}

export function simulatedToolHandler(options: SimulatedToolOptions): ToolHandler {
  return async (call: ToolCall, context: ToolContext): Promise<ToolResult> => {
    const report = (outcome: string): void =>
      options.onToolCall({ name: call.name, arguments: call.arguments, outcome });
    if (!options.enabled.has(call.name) && call.name !== "end_call") {
      report("not enabled for this agent");
      return { content: `${call.name} is not available` };
    }
    switch (call.name) {
      case "end_call":
        report("the call ends after this reply");
        return { content: "the call will end after this reply", endCall: true };
      case "transfer": {
        const to = text(call, "to");
        const target = resolveTransferTarget(to, options.transferTargets, "sip:caller@simulate.invalid");
        if (target === undefined) {
          report(`no transfer target named ${to}`);
          return { content: `transfer failed: no transfer target named ${to}` };
        }
        await context.afterPlayout();
        report(`transferred to ${target} (simulated)`);
        return { content: "the caller was transferred", endCall: true };
      }
      case "take_message":
        report("message taken (simulated, not stored)");
        return { content: "the message was saved" };
      case "send_dtmf":
        report(`sent ${text(call, "digits").length} digits (simulated)`);
        return { content: "the digits were sent" };
      case "lookup": {
        const found = options.knowledge?.lookup(text(call, "query"));
        report(found === undefined ? "no answer in the knowledge base" : "answered from the knowledge base");
        return { content: found === undefined ? "no answer found in the knowledge base" : found.answer };
      }
      default:
        report("unknown tool");
        return { content: `unknown tool ${call.name}` };
    }
  };
}
