/**
 * Which inbound calls a line takes (issue 5 decline rules): caller deny/allow lists and the
 * concurrency cap. Pure; the manager answers the returned status.
 */
export interface CallerRules {
  /** Caller numbers or SIP users, exact or a prefix ending in `*`; empty = everyone. */
  readonly allow: readonly string[];
  /** Always declined (checked before allow). */
  readonly deny: readonly string[];
}

export type AdmissionDecision =
  | { readonly admit: true }
  /** `reason` is for counters and logs (no PII). */
  | { readonly admit: false; readonly status: number; readonly reason: "denied" | "not_allowed" | "busy" };

function matches(pattern: string, caller: string): boolean {
  if (pattern.endsWith("*")) return caller.startsWith(pattern.slice(0, -1));
  return caller === pattern;
}

/** A caller matches when its user part or its whole URI matches the rule; "+1555" also matches "1555". */
export function callerMatches(patterns: readonly string[], user: string | undefined, uri: string): boolean {
  const candidates = [uri];
  if (user !== undefined && user !== "") {
    candidates.push(user);
    if (user.startsWith("+")) candidates.push(user.slice(1));
  }
  return patterns.some((p) => candidates.some((c) => matches(p, c)));
}

export function admitCall(input: {
  readonly rules: CallerRules;
  readonly callerUser: string | undefined;
  readonly callerUri: string;
  readonly activeCalls: number;
  readonly maxConcurrentCalls: number;
}): AdmissionDecision {
  // RFC 3261 21.6.2 603 Decline: "the callee's machine was successfully contacted but the user
  // explicitly does not wish to or cannot participate" — used for both list rules.
  if (callerMatches(input.rules.deny, input.callerUser, input.callerUri)) {
    return { admit: false, status: 603, reason: "denied" };
  }
  if (input.rules.allow.length > 0 && !callerMatches(input.rules.allow, input.callerUser, input.callerUri)) {
    return { admit: false, status: 603, reason: "not_allowed" };
  }
  // RFC 3261 21.4.24 486 Busy Here: "the callee's end system was contacted successfully, but the
  // callee is currently not willing or able to take additional calls at this end system".
  if (input.activeCalls >= input.maxConcurrentCalls) return { admit: false, status: 486, reason: "busy" };
  return { admit: true };
}
