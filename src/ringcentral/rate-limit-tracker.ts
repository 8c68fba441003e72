/**
 * Client-side pacing from RingCentral's rate-limit headers (ringcentral.md 8): every user-level
 * response carries `X-Rate-Limit-Group/Limit/Remaining/Window`. A pure core: callers feed
 * observations and ask how long to wait before the next request of a group.
 */

/** Throttling groups of the endpoints we call (ringcentral.md 8), by method and path. */
export function throttlingGroupOf(method: string, path: string): string {
  const p = (path.split("?")[0] ?? "").toLowerCase();
  const m = method.toUpperCase();
  if (p.startsWith("/restapi/oauth/")) return "auth";
  if (p.endsWith("/client-info/sip-provision") || p.endsWith("/telephony/call-out")) return "heavy";
  if (p.includes("/call-log") || p.includes("/recording/")) return "heavy";
  if (p.includes("/subscription")) return m === "POST" && p.endsWith("/renew") ? "light" : "medium";
  return "light";
}

export interface RateLimitObservation {
  readonly group: string;
  readonly limit: number;
  readonly remaining: number;
  readonly windowS: number;
}

export interface RateLimitPolicy {
  /** Start spacing requests out when Remaining is at or below this share of Limit (at least 1). */
  readonly lowRemainingFraction: number;
}

export const defaultRateLimitPolicy = { lowRemainingFraction: 0.1 } as const satisfies RateLimitPolicy;

interface GroupState {
  remaining: number;
  limit: number;
  windowMs: number;
  /** When the window we observed ends at the latest (observation time + window). */
  windowEndMs: number;
  /** Requests handed out since the observation (concurrent callers see a lower Remaining). */
  issuedSinceObservation: number;
  lastIssuedMs: number;
  /** 429 penalty: no request of this group before this time. */
  blockedUntilMs: number;
}

/** Reads the four headers; undefined when any is missing or not a number. */
export function readRateLimitHeaders(
  headers: Readonly<Record<string, unknown>>,
): RateLimitObservation | undefined {
  const header = (name: string): string | undefined => {
    const value = headers[name] ?? headers[name.toLowerCase()];
    return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
  };
  const group = header("X-Rate-Limit-Group");
  const limit = Number(header("X-Rate-Limit-Limit"));
  const remaining = Number(header("X-Rate-Limit-Remaining"));
  const windowS = Number(header("X-Rate-Limit-Window"));
  if (
    group === undefined ||
    !Number.isFinite(limit) ||
    !Number.isFinite(remaining) ||
    !Number.isFinite(windowS)
  ) {
    return undefined;
  }
  return { group: group.toLowerCase(), limit, remaining, windowS };
}

export class RateLimitTracker {
  readonly #policy: RateLimitPolicy;
  readonly #groups = new Map<string, GroupState>();

  constructor(policy: Partial<RateLimitPolicy> = {}) {
    this.#policy = { ...defaultRateLimitPolicy, ...policy };
  }

  observe(observation: RateLimitObservation, nowMs: number): void {
    const previous = this.#groups.get(observation.group);
    const windowMs = Math.max(0, observation.windowS * 1000);
    this.#groups.set(observation.group, {
      remaining: observation.remaining,
      limit: observation.limit,
      windowMs,
      windowEndMs: nowMs + windowMs,
      issuedSinceObservation: 0,
      lastIssuedMs: previous?.lastIssuedMs ?? nowMs, // an observation answers a request just sent
      blockedUntilMs: previous?.blockedUntilMs ?? Number.NEGATIVE_INFINITY,
    });
  }

  /** A 429: nothing of this group until `retryAfterMs` from now (every request in the penalty restarts it). */
  block(group: string, retryAfterMs: number, nowMs: number): void {
    const state = this.#state(group);
    state.blockedUntilMs = Math.max(state.blockedUntilMs, nowMs + retryAfterMs);
  }

  /** How long to wait before the next request of `group` may be sent (0: now). Pure query. */
  delayMs(group: string, nowMs: number): number {
    const state = this.#groups.get(group);
    if (state === undefined) return 0;
    let sendAtMs = Math.max(nowMs, state.blockedUntilMs);
    if (sendAtMs >= state.windowEndMs) return sendAtMs - nowMs; // a fresh window by then
    const remaining = state.remaining - state.issuedSinceObservation;
    const low = Math.max(1, Math.floor(state.limit * this.#policy.lowRemainingFraction));
    if (remaining <= 0) {
      sendAtMs = state.windowEndMs; // the window is used up: wait for it to end
    } else if (remaining <= low) {
      // Spread what is left across the rest of the window.
      const spacingMs = (state.windowEndMs - sendAtMs) / (remaining + 1);
      sendAtMs = Math.max(sendAtMs, state.lastIssuedMs + spacingMs);
    }
    return Math.max(0, sendAtMs - nowMs);
  }

  /** Records that a request of `group` is being sent now (call when {@link delayMs} is 0). */
  issue(group: string, nowMs: number): void {
    const state = this.#groups.get(group);
    if (state === undefined) return;
    if (nowMs >= state.windowEndMs && Number.isFinite(state.windowMs) && state.windowMs > 0) {
      // A new window has begun: assume a full allowance again until the next observation.
      state.remaining = state.limit;
      state.issuedSinceObservation = 0;
      state.windowEndMs = nowMs + state.windowMs;
    }
    state.issuedSinceObservation += 1;
    state.lastIssuedMs = nowMs;
  }

  #state(group: string): GroupState {
    let state = this.#groups.get(group);
    if (state === undefined) {
      state = {
        remaining: Number.POSITIVE_INFINITY,
        limit: Number.POSITIVE_INFINITY,
        windowMs: 0,
        windowEndMs: Number.NEGATIVE_INFINITY,
        issuedSinceObservation: 0,
        lastIssuedMs: Number.NEGATIVE_INFINITY,
        blockedUntilMs: Number.NEGATIVE_INFINITY,
      };
      this.#groups.set(group, state);
    }
    return state;
  }
}
