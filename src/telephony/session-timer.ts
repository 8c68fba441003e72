/**
 * RFC 4028 session timers, the pure part: negotiating the interval and refresher, and when to act.
 * Header text (Session-Expires, Min-SE, Supported/Require: timer) is the SIP adapter's business.
 */
export type Refresher = "uac" | "uas";

/** What an INVITE asked for. */
export interface SessionTimerRequest {
  readonly intervalS: number;
  readonly minSeS?: number;
  readonly refresher?: Refresher;
  /** `Supported: timer` was present. */
  readonly uacSupportsTimer: boolean;
}

/** What the 2xx says: Session-Expires with a refresher. */
export interface SessionTimerAnswer {
  readonly intervalS: number;
  readonly refresher: Refresher;
}

/** RFC 4028 4: "The Min-SE header field MUST NOT be less than 90 seconds". */
export const minimumSessionExpiresS = 90;

export type SessionTimerDecision =
  | { readonly ok: true; readonly answer: SessionTimerAnswer }
  /** RFC 4028 6: "If the Session-Expires ... is less than the minimum ... the UAS MUST reject with 422". */
  | { readonly ok: false; readonly status: 422; readonly minSeS: number };

/** The UAS's answer to an INVITE's session timer request (RFC 4028 9). */
export function answerSessionTimer(
  request: SessionTimerRequest,
  ourMinSeS = minimumSessionExpiresS,
): SessionTimerDecision {
  const floor = Math.max(ourMinSeS, minimumSessionExpiresS);
  if (request.intervalS < floor) return { ok: false, status: 422, minSeS: floor };
  // RFC 4028 9: "If the UAC did not support session timers (no Supported: timer) ... the UAS
  // ... MUST set the refresher parameter to 'uas'". Otherwise the request's choice stands; when it
  // made none, "the UAS MAY choose": we let the caller refresh, as most PBXs do.
  const refresher: Refresher = !request.uacSupportsTimer ? "uas" : (request.refresher ?? "uac");
  return { ok: true, answer: { intervalS: request.intervalS, refresher } };
}

export type SessionTimerAction =
  | { readonly kind: "refresh"; readonly afterMs: number }
  | { readonly kind: "expire"; readonly afterMs: number };

/**
 * What our side does and when, counted from the last refresh. RFC 4028 10: the refresher sends the
 * refresh "at one half the session interval"; the other side, absent a refresh, "SHOULD send a BYE
 * ... the minimum of 32 seconds and one third of the session interval" before it expires.
 */
export function sessionTimerAction(answer: SessionTimerAnswer, weAre: Refresher): SessionTimerAction {
  const intervalMs = answer.intervalS * 1000;
  if (answer.refresher === weAre) return { kind: "refresh", afterMs: intervalMs / 2 };
  const marginMs = Math.min(32_000, intervalMs / 3);
  return { kind: "expire", afterMs: intervalMs - marginMs };
}
