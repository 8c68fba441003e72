/**
 * The conversation agent's tools: what the model may call and what each does on the call.
 * transfer (blind REFER, or the line's own transfer route first — a ringcentral line's Call Control —
 * typed outcome; on failure the agent says so and stays), end_call (ordered:
 * the goodbye plays out, then BYE), send_dtmf, take_message (the caller's recorded message, its
 * transcript, stored), lookup (the knowledge file).
 */
import type { ToolCall, ToolContext, ToolHandler, ToolResult, ToolSpec } from "../../pipeline/index.js";
import { type Clock, describeError, type Logger, newId } from "../../shared/index.js";
import type { Call } from "../../telephony/index.js";
import type { CallJournal } from "../call-journal.js";
import type { KnowledgeBase } from "./knowledge-base.js";

export type ToolName = "transfer" | "end_call" | "take_message" | "send_dtmf" | "lookup";

export const toolSpecs: Readonly<Record<ToolName, ToolSpec>> = {
  transfer: {
    name: "transfer",
    description:
      "Transfer the caller to a person or department. Say you are transferring first. `to` is a configured name (e.g. operator), a phone number, an extension or a SIP URI.",
    parameters: {
      type: "object",
      properties: { to: { type: "string", description: "who to transfer to" } },
      required: ["to"],
    },
  },
  end_call: {
    name: "end_call",
    description: "Hang up after saying goodbye (what you say in this reply is played first).",
    parameters: { type: "object", properties: {} },
  },
  take_message: {
    name: "take_message",
    description: "Store a message for a call back: the caller's name, number and message.",
    parameters: {
      type: "object",
      properties: {
        name: { type: "string" },
        number: { type: "string" },
        message: { type: "string" },
      },
      required: ["message"],
    },
  },
  send_dtmf: {
    name: "send_dtmf",
    description: "Send touch-tone digits on the call (0-9, *, #, A-D), e.g. to navigate a phone menu.",
    parameters: {
      type: "object",
      properties: { digits: { type: "string" } },
      required: ["digits"],
    },
  },
  lookup: {
    name: "lookup",
    description: "Look up the answer to the caller's question in the company's knowledge base.",
    parameters: {
      type: "object",
      properties: { query: { type: "string" } },
      required: ["query"],
    },
  },
};

/** The outcome of a transfer taken by a {@link TransferRoute}. */
export type RouteTransferResult =
  | { readonly outcome: "success" }
  | { readonly outcome: "failed"; readonly reason: string };

/**
 * A line's own way to transfer, tried before SIP REFER (a ringcentral line: Call Control through
 * `RingCentralCallLink`). Returns undefined when it cannot take this transfer (the party is not
 * known yet, or the target is not a number/extension): the tool then falls back to REFER.
 */
export interface TransferRoute {
  transferTo(callId: string, to: string): Promise<RouteTransferResult | undefined>;
}

/** What the tools need of the call's agent. */
export interface ToolEnvironment {
  readonly call: Call;
  readonly journal: CallJournal;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Configured names -> targets (`operator` -> sip:...). */
  readonly transferTargets: Readonly<Record<string, string>>;
  /** The line's own transfer (Call Control on ringcentral lines), tried before REFER. */
  readonly transferRoute?: TransferRoute | undefined;
  readonly knowledge: KnowledgeBase | undefined;
  /** Tools enabled for this agent (the model is offered these; scripts may call them too). */
  readonly enabled: ReadonlySet<string>;
  /** Saves the caller's most recent speech as a WAV; resolves with its path (undefined: not recording). */
  saveCallerSpeech(messageId: string): Promise<string | undefined>;
  /** Something for the agent to say after the tool's result, when the model says nothing itself. */
  announce(toolCallId: string, text: string): void;
}

export const transferFailedText =
  "I'm sorry, I couldn't transfer you right now. Can I take a message instead?";

function stringArg(call: ToolCall, name: string): string | undefined {
  const value = call.arguments[name];
  if (typeof value === "string") return value.trim();
  if (typeof value === "number") return String(value);
  return undefined;
}

/** The domain of a SIP URI (`sip:user@host:port;params` -> `host:port`). */
export function uriHost(uri: string): string | undefined {
  const afterScheme = uri.replace(/^<?sips?:/i, "");
  const at = afterScheme.lastIndexOf("@");
  const hostPart = at >= 0 ? afterScheme.slice(at + 1) : afterScheme;
  const host = hostPart.split(/[;>?]/)[0];
  return host === undefined || host.length === 0 ? undefined : host;
}

/**
 * A transfer target as a SIP URI: a configured name, a SIP URI as is, or a number/extension at the
 * domain of the caller's URI (the PBX or carrier the call came through).
 */
export function resolveTransferTarget(
  to: string,
  targets: Readonly<Record<string, string>>,
  remoteUri: string,
): string | undefined {
  const named = targets[to] ?? targets[to.toLowerCase()];
  const target = (named ?? to).trim();
  if (/^sips?:/i.test(target)) return target;
  const digits = target.replace(/[\s().-]/g, "");
  if (/^\+?[0-9*#]{2,}$/.test(digits)) {
    const host = uriHost(remoteUri);
    return host === undefined ? undefined : `sip:${digits}@${host}`;
  }
  return undefined;
}

export function createToolHandler(env: ToolEnvironment): ToolHandler {
  const log = env.logger;
  return async (call: ToolCall, context: ToolContext): Promise<ToolResult> => {
    env.journal.event(env.call.id, "tool", { name: call.name, id: call.id });
    if (!env.enabled.has(call.name) && call.name !== "end_call") {
      log.info({ tool: call.name }, "tool not enabled for this agent");
      if (call.name === "transfer") env.announce(call.id, transferFailedText);
      return { content: `${call.name} is not available` };
    }
    switch (call.name) {
      case "end_call":
        return { content: "the call will end after this reply", endCall: true };
      case "transfer":
        return transfer(env, call, context);
      case "send_dtmf": {
        const digits = (stringArg(call, "digits") ?? "").replace(/\s/g, "");
        if (digits.length === 0) return { content: "no digits given" };
        try {
          await context.afterPlayout();
          await env.call.sendDigits(digits);
          return { content: `sent ${digits.length} digits` };
        } catch (error) {
          log.info({ err: describeError(error) }, "send_dtmf failed");
          return { content: "the digits could not be sent" };
        }
      }
      case "take_message":
        return takeMessage(env, call);
      case "lookup": {
        const query = stringArg(call, "query") ?? "";
        const found = env.knowledge?.lookup(query);
        return { content: found === undefined ? "no answer found in the knowledge base" : found.answer };
      }
      default:
        return { content: `unknown tool ${call.name}` };
    }
  };
}

async function transfer(env: ToolEnvironment, call: ToolCall, context: ToolContext): Promise<ToolResult> {
  const to = stringArg(call, "to") ?? "";
  const wanted = (env.transferTargets[to] ?? env.transferTargets[to.toLowerCase()] ?? to).trim();
  const target = resolveTransferTarget(to, env.transferTargets, env.call.signaling.remoteUri);
  const routable = env.transferRoute !== undefined && isNumberOrExtension(wanted);
  if (target === undefined && !routable) {
    env.journal.event(env.call.id, "transfer", { state: "failure", reason: "unknown_target" });
    env.announce(call.id, transferFailedText);
    return { content: `transfer failed: no transfer target named ${to}` };
  }
  // "Let me transfer you" must be heard before the caller leaves us.
  await context.afterPlayout();
  if (context.signal.aborted) return { content: "transfer cancelled" };
  if (routable && env.transferRoute !== undefined) {
    // The route journals its own `transfer` event and outcome (via call_control).
    const routed = await routeTransfer(env, env.transferRoute, wanted);
    if (routed?.outcome === "success") return { content: "the caller was transferred", endCall: true };
    if (routed !== undefined) {
      env.announce(call.id, transferFailedText);
      return { content: `transfer failed (${routed.reason}); the caller is still here` };
    }
  }
  if (target === undefined) {
    env.journal.event(env.call.id, "transfer", { state: "failure", reason: "unknown_target" });
    env.announce(call.id, transferFailedText);
    return { content: `transfer failed: no transfer target named ${to}` };
  }
  try {
    const result = await env.call.transfer(target, { signal: context.signal });
    if (result.outcome === "success") {
      env.journal.setOutcome(env.call.id, "transferred");
      return { content: "the caller was transferred", endCall: true };
    }
    env.logger.info({ status: result.status }, "transfer failed; staying on the call");
    env.announce(call.id, transferFailedText);
    return { content: `transfer failed (SIP ${result.status}); the caller is still here` };
  } catch (error) {
    env.logger.info({ err: describeError(error) }, "transfer failed; staying on the call");
    env.announce(call.id, transferFailedText);
    return { content: "transfer failed; the caller is still here" };
  }
}

/** A phone number or an extension (what Call Control can transfer to), not a SIP URI or a name. */
function isNumberOrExtension(target: string): boolean {
  return /^\+?[0-9]{1,15}$/.test(target.replace(/[\s().-]/g, ""));
}

async function routeTransfer(
  env: ToolEnvironment,
  route: TransferRoute,
  target: string,
): Promise<RouteTransferResult | undefined> {
  try {
    return await route.transferTo(env.call.id, target.replace(/[\s().-]/g, ""));
  } catch (error) {
    env.logger.info({ err: describeError(error) }, "transfer route failed; trying REFER");
    return undefined;
  }
}

async function takeMessage(env: ToolEnvironment, call: ToolCall): Promise<ToolResult> {
  const id = newId();
  const text = stringArg(call, "message") ?? "";
  let recordingPath: string | undefined;
  try {
    recordingPath = await env.saveCallerSpeech(id);
  } catch (error) {
    env.logger.warn({ err: describeError(error) }, "could not save the message audio");
  }
  env.journal.message({
    id,
    callId: env.call.id,
    atMs: env.clock.epochMs(),
    callerName: stringArg(call, "name") ?? null,
    callerNumber: stringArg(call, "number") ?? null,
    text,
    recordingPath: recordingPath ?? null,
  });
  env.journal.setOutcome(env.call.id, "message_taken");
  return { content: "the message was saved" };
}
