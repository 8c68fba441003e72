import type { Clock } from "../../shared/index.js";
import type { SipAddress } from "./transport-types.js";

/**
 * Reconnect delay for a failed client flow, RFC 5626 4.5: "wait-time = min(max-time, (base-time *
 * (2 ^ consecutive-failures)))", then a random time between 50% and 100% of wait-time.
 */
export interface BackoffPolicy {
  /** RFC 5626 default base-time is 30 s when all flows failed (90 s when some are up). */
  readonly baseMs: number;
  /** RFC 5626 default max-time: 1800 s. */
  readonly maxMs: number;
}

export const defaultBackoffPolicy = { baseMs: 30_000, maxMs: 1_800_000 } as const satisfies BackoffPolicy;

export function backoffDelayMs(
  policy: BackoffPolicy,
  consecutiveFailures: number,
  random = Math.random,
): number {
  const exponent = Math.min(Math.max(consecutiveFailures, 0), 30);
  const waitMs = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  return Math.round(waitMs * (0.5 + 0.5 * random()));
}

/**
 * The outbound proxy of one line, with an optional backup (RingCentral sipInfo `outboundProxy` /
 * `outboundProxyBackup` / `switchBackInterval`).
 */
export interface OutboundProxyPolicy {
  readonly primary: SipAddress;
  readonly backup?: SipAddress;
  /** While on the backup, try the primary again after this long (0 = stay on the backup). */
  readonly switchBackIntervalMs?: number;
}

/**
 * Chooses the next hop for a line: the primary proxy until connecting to it fails, then the backup;
 * after `switchBackIntervalMs` on the backup the primary is tried again. Pure apart from the clock.
 */
export class NextHopSelector {
  readonly #policy: OutboundProxyPolicy;
  readonly #clock: Clock;
  #onBackupSinceMs: number | undefined;

  constructor(policy: OutboundProxyPolicy, clock: Clock) {
    this.#policy = policy;
    this.#clock = clock;
  }

  get policy(): OutboundProxyPolicy {
    return this.#policy;
  }

  /** The hop to use now. */
  current(): SipAddress {
    const backup = this.#policy.backup;
    if (backup === undefined || this.#onBackupSinceMs === undefined) return this.#policy.primary;
    const switchBackMs = this.#policy.switchBackIntervalMs ?? 0;
    if (switchBackMs > 0 && this.#clock.nowMs() - this.#onBackupSinceMs >= switchBackMs) {
      this.#onBackupSinceMs = undefined;
      return this.#policy.primary;
    }
    return backup;
  }

  /** Whether the backup is in use. */
  get onBackup(): boolean {
    return this.current() !== this.#policy.primary;
  }

  /** Connecting to (or keeping a flow to) `hop` failed; returns the hop to try next. */
  reportFailure(hop: SipAddress): SipAddress {
    const backup = this.#policy.backup;
    if (backup !== undefined) {
      if (hop === this.#policy.primary) this.#onBackupSinceMs = this.#clock.nowMs();
      else if (hop === backup) this.#onBackupSinceMs = undefined;
    }
    return this.current();
  }
}
