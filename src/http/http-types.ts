/** What the HTTP server needs from the rest of the process, injected by main.ts. */

/** The outcome of asking the call manager to act on a live call. */
export type LiveCallActionResult =
  | { ok: true }
  /** No call with this id is live in this process (ended, unknown, or owned by another instance). */
  | { ok: false; reason: "not_live" }
  /** The call is live but cannot do this now (e.g. still ringing, already transferring). */
  | { ok: false; reason: "wrong_state"; state: string };

/** Control of this process's live calls (implemented by the call manager, wired in main.ts). */
export interface LiveCallController {
  hangUp(callId: string): Promise<LiveCallActionResult>;
  /** Blind transfer to `target` (a number or SIP URI). */
  transfer(callId: string, target: string): Promise<LiveCallActionResult>;
}

export interface ReadinessCheck {
  /** e.g. `line main`, `store`. */
  name: string;
  ok: boolean;
  /** Why it is not ok (no secrets, no PII). */
  detail?: string;
}

/** Every line registered/listening and the store reachable; called per /readyz request. */
export type ReadinessProbe = () => Promise<readonly ReadinessCheck[]>;
