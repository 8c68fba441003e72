/**
 * The call state machine (issue 5): explicit states, a checked transition function, and typed end
 * reasons. "Caller" below means the remote party in both directions (for an outbound call, the
 * called party); "agent" means us.
 */
import { RingagentError } from "../shared/index.js";

export type CallState = "ringing" | "answering" | "active" | "on_hold" | "transferring" | "ending" | "ended";

export type CallDirection = "inbound" | "outbound";

/** Who holds: we put the caller on hold, the caller put us on hold, or both at once. */
export type HoldParty = "local" | "remote" | "both";

export type CallEndReason =
  /** The remote party sent BYE (or CANCEL before we answered). */
  | { readonly kind: "caller_hung_up" }
  /** We sent BYE (the agent or the application hung up). */
  | { readonly kind: "agent_hung_up" }
  /** A blind or attended transfer succeeded; the caller now talks to the transfer target. */
  | { readonly kind: "transferred" }
  /** Declined before answer (inbound: we answered `status`; outbound: the peer did). */
  | { readonly kind: "rejected"; readonly status: number }
  /** No RTP from the peer for `idleMs`. */
  | { readonly kind: "media_timeout"; readonly idleMs: number }
  /** RFC 4028: the session interval ran out without a refresh. */
  | { readonly kind: "session_expired" }
  /** Something failed: a code for machines and a detail for people (no PII). */
  | { readonly kind: "error"; readonly code: string; readonly detail: string };

export type CallEndKind = CallEndReason["kind"];

/**
 * Allowed transitions. Each entry quotes the rule it follows; anything not listed is a bug and
 * throws `call_invalid_transition`.
 */
const allowed: Readonly<Record<CallState, readonly CallState[]>> = {
  // RFC 3261 13.3.1: the UAS may answer (2xx), reject (3xx-6xx) or be cancelled while ringing.
  // Outbound: RFC 3261 13.2.2.4 "a 2xx response ... establishes a dialog" -> active directly.
  ringing: ["answering", "active", "ending", "ended"],
  // RFC 3261 13.3.1.4: "the 2xx response is passed to the transport ... until it receives an ACK".
  // Without an ACK (Timer H / 64*T1) the UAS "SHOULD generate a BYE" -> ending.
  answering: ["active", "ending", "ended"],
  // RFC 3264 8.4: a re-offer with sendonly/inactive puts the stream on hold; REFER starts a transfer.
  active: ["on_hold", "transferring", "ending", "ended"],
  // RFC 3264 8.4: a later offer with sendrecv takes it off hold.
  on_hold: ["active", "transferring", "ending", "ended"],
  // RFC 3515 2.4.5: the final NOTIFY reports the outcome; on failure the call continues.
  transferring: ["active", "on_hold", "ending", "ended"],
  // RFC 3261 15.1.1: after sending BYE the call ends with the BYE's response (or its timeout).
  ending: ["ended"],
  ended: [],
};

export function canTransition(from: CallState, to: CallState): boolean {
  return allowed[from].includes(to);
}

/** Returns `to` or throws when the move is not in the table. */
export function transition(from: CallState, to: CallState): CallState {
  if (!canTransition(from, to)) {
    throw new RingagentError("call_invalid_transition", `call cannot go from ${from} to ${to}`);
  }
  return to;
}

/** States in which the call has a confirmed dialog and media flows (or is held). */
export function isEstablished(state: CallState): boolean {
  return state === "active" || state === "on_hold" || state === "transferring";
}

/** Combines our hold wish with the peer's (RFC 3264 8.4). */
export function holdParty(localHold: boolean, remoteHold: boolean): HoldParty | undefined {
  if (localHold && remoteHold) return "both";
  if (localHold) return "local";
  if (remoteHold) return "remote";
  return undefined;
}
