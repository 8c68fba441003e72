/** Parses `/api/v1/calls` query parameters into a store `CallQuery` (400 on anything malformed). */
import { z } from "zod";
import {
  type CallQuery,
  callOutcomes,
  callStatuses,
  type MessageQuery,
  maxCallPageLimit,
} from "../store/index.js";
import { HttpError } from "./http-error.js";

/** An instant as epoch ms digits or an ISO 8601 date-time. */
const instant = z.string().transform((value, ctx) => {
  const ms = /^\d{1,15}$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms) || ms < 0) {
    ctx.addIssue({ code: "custom", message: "must be epoch milliseconds or an ISO 8601 date-time" });
    return z.NEVER;
  }
  return ms;
});

const callListParams = z.strictObject({
  line: z.string().min(1).max(200).optional(),
  agent: z.string().min(1).max(200).optional(),
  outcome: z.enum(callOutcomes).optional(),
  status: z.enum(callStatuses).optional(),
  since: instant.optional(),
  until: instant.optional(),
  /** Text search in turns (caller and agent). */
  q: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(maxCallPageLimit).optional(),
  cursor: z.string().min(1).max(500).optional(),
});

export function parseCallListQuery(query: unknown): CallQuery {
  const parsed = callListParams.safeParse(query ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const field = issue.path.join(".");
      return issue.code === "unrecognized_keys"
        ? `unknown parameter(s): ${issue.keys.join(", ")}`
        : `${field}: ${issue.message}`;
    });
    throw HttpError.badRequest(`invalid query: ${problems.join("; ")}`);
  }
  const p = parsed.data;
  const out: CallQuery = {};
  if (p.line !== undefined) out.line = p.line;
  if (p.agent !== undefined) out.agent = p.agent;
  if (p.outcome !== undefined) out.outcome = p.outcome;
  if (p.status !== undefined) out.status = p.status;
  if (p.since !== undefined) out.sinceMs = p.since;
  if (p.until !== undefined) out.untilMs = p.until;
  if (p.q !== undefined && p.q !== "") out.text = p.q;
  if (p.limit !== undefined) out.limit = p.limit;
  if (p.cursor !== undefined) out.cursor = p.cursor;
  return out;
}

const transferBody = z.strictObject({ target: z.string().trim().min(1).max(256) });

export function parseTransferBody(body: unknown): { target: string } {
  const parsed = transferBody.safeParse(body);
  if (!parsed.success) {
    throw HttpError.badRequest('body must be JSON {"target": "<number or SIP URI>"}');
  }
  return parsed.data;
}

const messageListParams = z.strictObject({
  limit: z.coerce.number().int().min(1).max(maxCallPageLimit).optional(),
  before: instant.optional(),
});

export function parseMessageListQuery(query: unknown): MessageQuery {
  const parsed = messageListParams.safeParse(query ?? {});
  if (!parsed.success)
    throw HttpError.badRequest("invalid query: limit 1..500, before as epoch ms or ISO 8601");
  const out: MessageQuery = {};
  if (parsed.data.limit !== undefined) out.limit = parsed.data.limit;
  if (parsed.data.before !== undefined) out.beforeMs = parsed.data.before;
  return out;
}
