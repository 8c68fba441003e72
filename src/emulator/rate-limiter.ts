import type { GroupLimit, RateLimitGroup } from "./emulator-types.js";

/** Throttling group per request (ringcentral.md 8); mirrors what the platform documents. */
export function groupOfRequest(method: string, path: string): RateLimitGroup {
  const p = (path.split("?")[0] ?? "").toLowerCase();
  if (p.startsWith("/restapi/oauth/")) return "auth";
  if (p.endsWith("/client-info/sip-provision") || p.endsWith("/telephony/call-out")) return "heavy";
  if (p.includes("/call-log") || p.includes("/recording/")) return "heavy";
  if (p.includes("/subscription"))
    return method.toUpperCase() === "POST" && p.endsWith("/renew") ? "light" : "medium";
  return "light";
}

export type RateDecision =
  | { readonly allowed: true; readonly headers: Record<string, string> }
  | { readonly allowed: false; readonly retryAfterS: number; readonly headers: Record<string, string> };

interface GroupWindow {
  windowStartMs: number;
  used: number;
  penaltyUntilMs: number;
}

/**
 * Fixed-window counter per group with RingCentral's headers. Over the limit: 429 with
 * `Retry-After` = the penalty; every request during the penalty restarts it (ringcentral.md 8).
 */
export class EmulatorRateLimiter {
  readonly #limits: Record<RateLimitGroup, GroupLimit>;
  readonly #windows = new Map<RateLimitGroup, GroupWindow>();
  readonly #now: () => number;
  counters = { limited: 0 };

  constructor(limits: Record<RateLimitGroup, GroupLimit>, now: () => number) {
    this.#limits = { ...limits };
    this.#now = now;
  }

  setLimit(group: RateLimitGroup, limit: GroupLimit): void {
    this.#limits[group] = limit;
    this.#windows.delete(group);
  }

  check(group: RateLimitGroup): RateDecision {
    const limit = this.#limits[group];
    const nowMs = this.#now();
    let window = this.#windows.get(group);
    if (window === undefined || nowMs >= window.windowStartMs + limit.windowS * 1000) {
      window = { windowStartMs: nowMs, used: 0, penaltyUntilMs: window?.penaltyUntilMs ?? 0 };
      this.#windows.set(group, window);
    }
    const headers = (remaining: number): Record<string, string> => ({
      "X-Rate-Limit-Group": group,
      "X-Rate-Limit-Limit": String(limit.limit),
      "X-Rate-Limit-Remaining": String(Math.max(0, remaining)),
      "X-Rate-Limit-Window": String(limit.windowS),
    });
    if (nowMs < window.penaltyUntilMs) {
      window.penaltyUntilMs = nowMs + limit.penaltyS * 1000; // a request in the penalty restarts it
      this.counters.limited += 1;
      return { allowed: false, retryAfterS: limit.penaltyS, headers: headers(0) };
    }
    if (window.used >= limit.limit) {
      window.penaltyUntilMs = nowMs + limit.penaltyS * 1000;
      // The penalty outlasts this window: the next window starts when it ends.
      window.windowStartMs = window.penaltyUntilMs - limit.windowS * 1000;
      window.used = 0;
      this.counters.limited += 1;
      return { allowed: false, retryAfterS: limit.penaltyS, headers: headers(0) };
    }
    window.used += 1;
    return { allowed: true, headers: headers(limit.limit - window.used) };
  }
}
