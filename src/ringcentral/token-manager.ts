import type RingCentral from "@rc-ex/core";
import type TokenInfo from "@rc-ex/core/definitions/TokenInfo";
import { type Clock, describeError, type Logger, RingagentError, type Timer } from "../shared/index.js";
import { RingCentralApiError } from "./rc-api-error.js";
import type { RawResponse, RestDiscipline } from "./rest-discipline.js";

/**
 * The JWT-grant session (ringcentral.md 1.1-1.3): log in with the JWT credential, refresh ahead
 * of expiry on the injected clock, log in again with the JWT when the refresh token is gone or
 * refused (`invalid_grant`), revoke on shutdown. `@rc-ex/core` has no automatic refresh (1.9).
 */
export interface TokenManagerOptions {
  readonly rc: RingCentral;
  readonly jwt: string;
  readonly discipline: RestDiscipline;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Refresh this long before the access token expires (at most half its lifetime). */
  readonly refreshAheadMs?: number;
  /** After a failed background refresh, try again after this long. */
  readonly refreshRetryMs?: number;
}

export const defaultRefreshAheadMs = 5 * 60_000;

export interface TokenCounters {
  logins: number;
  refreshes: number;
  reloginsAfterRefreshFailure: number;
}

const tokenPath = "/restapi/oauth/token";

export class TokenManager {
  readonly #options: TokenManagerOptions;
  readonly #refreshAheadMs: number;
  #accessExpiresAtMs = 0;
  #refreshExpiresAtMs = 0;
  #timer: Timer | undefined;
  #inflight: Promise<void> | undefined;
  #closed = false;
  readonly counters: TokenCounters = { logins: 0, refreshes: 0, reloginsAfterRefreshFailure: 0 };

  constructor(options: TokenManagerOptions) {
    this.#options = options;
    this.#refreshAheadMs = options.refreshAheadMs ?? defaultRefreshAheadMs;
  }

  get loggedIn(): boolean {
    return this.#options.rc.token?.access_token !== undefined;
  }

  /** Monotonic time (injected clock) at which the current access token expires. */
  get accessExpiresAtMs(): number {
    return this.#accessExpiresAtMs;
  }

  /** The current access token, for comparing before/after (never log it). */
  get accessToken(): string | undefined {
    return this.#options.rc.token?.access_token;
  }

  /** JWT grant. Throws {@link RingCentralApiError} (400 invalid_grant for a bad credential). */
  login(): Promise<void> {
    return this.#singleFlight(() => this.#login());
  }

  /** Refresh-token grant; falls back to the JWT login when the refresh token is gone or refused. */
  refresh(): Promise<void> {
    return this.#singleFlight(() => this.#refresh());
  }

  /** Before a request: a token that has expired by our clock is renewed first. */
  async ensureFresh(): Promise<void> {
    if (this.#closed) throw new RingagentError("ringcentral_closed", "the RingCentral session was closed");
    if (!this.loggedIn) return this.login();
    if (this.#options.clock.nowMs() >= this.#accessExpiresAtMs) return this.refresh();
  }

  /** A request got 401 with `failedToken`: refresh once (unless someone already did). */
  async onUnauthorized(failedToken: string | undefined): Promise<void> {
    if (this.accessToken !== failedToken && this.accessToken !== undefined) return;
    await this.refresh();
  }

  /** Cancels the refresh timer and revokes the session (best effort; never throws). */
  async revoke(): Promise<void> {
    this.#closed = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    await this.#inflight?.catch(() => undefined);
    if (!this.loggedIn) return;
    try {
      await this.#options.discipline.run(
        "POST",
        "/restapi/oauth/revoke",
        async () => {
          await this.#options.rc.revoke();
          return { status: 200, data: undefined, headers: {} };
        },
        { pace: false },
      );
    } catch (error) {
      this.#options.logger.warn({ err: describeError(error) }, "ringcentral: token revoke failed");
    }
    this.#options.rc.token = undefined;
  }

  #singleFlight(operation: () => Promise<void>): Promise<void> {
    if (this.#inflight !== undefined) return this.#inflight;
    const promise = operation().finally(() => {
      if (this.#inflight === promise) this.#inflight = undefined;
    });
    this.#inflight = promise;
    return promise;
  }

  async #login(): Promise<void> {
    const { rc, jwt } = this.#options;
    const token = await this.#tokenRequest(() => rc.authorize({ jwt }));
    this.counters.logins += 1;
    this.#accept(token);
    this.#options.logger.info({ expiresInS: token.expires_in }, "ringcentral: logged in with JWT");
  }

  async #refresh(): Promise<void> {
    const { rc, clock, logger } = this.#options;
    const refreshToken = rc.token?.refresh_token;
    if (refreshToken === undefined || clock.nowMs() >= this.#refreshExpiresAtMs) {
      logger.info("ringcentral: refresh token missing or expired, logging in with JWT");
      this.counters.reloginsAfterRefreshFailure += 1;
      return this.#login();
    }
    try {
      const token = await this.#tokenRequest(() => rc.refresh(refreshToken));
      this.counters.refreshes += 1;
      this.#accept(token);
      logger.debug({ expiresInS: token.expires_in }, "ringcentral: access token refreshed");
    } catch (error) {
      // 400 invalid_grant (revoked/expired refresh token) or 401: the JWT still works.
      if (error instanceof RingCentralApiError && (error.status === 400 || error.status === 401)) {
        logger.warn(
          { status: error.status, errorCode: error.errorCode },
          "ringcentral: refresh refused, logging in with JWT",
        );
        this.counters.reloginsAfterRefreshFailure += 1;
        rc.token = undefined;
        return this.#login();
      }
      throw error;
    }
  }

  async #tokenRequest(grant: () => Promise<TokenInfo>): Promise<TokenInfo> {
    let token: TokenInfo | undefined;
    await this.#options.discipline.run("POST", tokenPath, async (): Promise<RawResponse> => {
      token = await grant();
      return { status: 200, data: token, headers: {} };
    });
    if (token?.access_token === undefined) {
      throw new RingagentError(
        "ringcentral_token_invalid",
        "RingCentral returned a token response without access_token",
      );
    }
    return token;
  }

  #accept(token: TokenInfo): void {
    const { clock } = this.#options;
    const nowMs = clock.nowMs();
    const ttlMs = Math.max(1000, (token.expires_in ?? 3600) * 1000);
    this.#accessExpiresAtMs = nowMs + ttlMs;
    this.#refreshExpiresAtMs =
      token.refresh_token === undefined ? 0 : nowMs + (token.refresh_token_expires_in ?? 604_800) * 1000;
    this.#schedule(ttlMs - Math.min(this.#refreshAheadMs, ttlMs / 2));
  }

  #schedule(delayMs: number): void {
    this.#timer?.cancel();
    if (this.#closed) return;
    this.#timer = this.#options.clock.setTimer(delayMs, () => {
      this.#timer = undefined;
      this.refresh().catch((error: unknown) => {
        this.#options.logger.warn({ err: describeError(error) }, "ringcentral: background refresh failed");
        this.#schedule(this.#options.refreshRetryMs ?? 30_000);
      });
    });
  }
}
