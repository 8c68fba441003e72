import { randomToken } from "../shared/index.js";
import { errors, type RcErrorReply } from "./rc-error-body.js";

/**
 * OAuth state of the emulator (ringcentral.md 1.1-1.4): one authorization session per login,
 * holding its current access and refresh tokens. A refresh invalidates the old access token at
 * once; revoking either token ends the whole session.
 */
interface AuthSession {
  readonly id: string;
  accessToken: string;
  refreshToken: string;
  accessExpiresAtMs: number;
  refreshExpiresAtMs: number;
  /** Set by {@link TokenStore.expireAccessTokens}: the access token fails as expired. */
  accessForcedExpired: boolean;
  refreshRevoked: boolean;
  ended: boolean;
}

export interface IssuedToken {
  readonly access_token: string;
  readonly token_type: "bearer";
  readonly expires_in: number;
  readonly refresh_token: string;
  readonly refresh_token_expires_in: number;
  readonly scope: string;
  readonly owner_id: string;
  readonly endpoint_id: string;
  readonly session_id: string;
}

export interface WsToken {
  readonly token: string;
  readonly expiresAtMs: number;
  readonly sessionId: string;
}

const scope = "CallControl ReadAccounts ReadCallLog ReadCallRecording VoipCalling WebSocketsSubscriptions";

export class TokenStore {
  accessTtlS: number;
  refreshTtlS: number;
  wsTtlS: number;
  readonly #now: () => number;
  readonly #ownerId: string;
  readonly #byAccess = new Map<string, AuthSession>();
  readonly #byRefresh = new Map<string, AuthSession>();
  readonly #sessions: AuthSession[] = [];
  readonly #wsTokens = new Map<string, WsToken>();
  counters = { logins: 0, refreshes: 0, revokes: 0 };

  constructor(options: {
    now: () => number;
    ownerId: string;
    accessTtlS: number;
    refreshTtlS: number;
    wsTtlS: number;
  }) {
    this.#now = options.now;
    this.#ownerId = options.ownerId;
    this.accessTtlS = options.accessTtlS;
    this.refreshTtlS = options.refreshTtlS;
    this.wsTtlS = options.wsTtlS;
  }

  login(): IssuedToken {
    this.counters.logins += 1;
    const session: AuthSession = {
      id: randomToken(8),
      accessToken: "",
      refreshToken: "",
      accessExpiresAtMs: 0,
      refreshExpiresAtMs: 0,
      accessForcedExpired: false,
      refreshRevoked: false,
      ended: false,
    };
    this.#sessions.push(session);
    return this.#issue(session, true);
  }

  refresh(refreshToken: string): IssuedToken | RcErrorReply {
    const session = this.#byRefresh.get(refreshToken);
    if (session === undefined || session.ended || session.refreshRevoked) return errors.tokenRevoked();
    if (this.#now() >= session.refreshExpiresAtMs) return errors.tokenExpired();
    this.counters.refreshes += 1;
    return this.#issue(session, true);
  }

  /** Revoking one token ends its whole authorization session (ringcentral.md 1.3). */
  revoke(token: string): void {
    const session = this.#byAccess.get(token) ?? this.#byRefresh.get(token);
    if (session === undefined) return;
    this.counters.revokes += 1;
    session.ended = true;
  }

  /** Validates a Bearer access token; returns the error reply when it cannot be used. */
  authenticate(authorization: string | undefined): { sessionId: string } | RcErrorReply {
    if (authorization === undefined || !/^bearer\s+\S+/i.test(authorization))
      return errors.missingAuthorization();
    const token = authorization.replace(/^bearer\s+/i, "").trim();
    const session = this.#byAccess.get(token);
    if (session === undefined || session.ended || session.accessToken !== token)
      return errors.accessTokenUnknown();
    if (session.accessForcedExpired || this.#now() >= session.accessExpiresAtMs)
      return errors.accessTokenExpired();
    return { sessionId: session.id };
  }

  issueWsToken(sessionId: string): WsToken {
    const ws: WsToken = { token: randomToken(24), expiresAtMs: this.#now() + this.wsTtlS * 1000, sessionId };
    this.#wsTokens.set(ws.token, ws);
    return ws;
  }

  /** A WebSocket access token, accepted until it expires (`@rc-ex/ws` reuses it across reconnects). */
  checkWsToken(token: string | null): WsToken | undefined {
    if (token === null) return undefined;
    const ws = this.#wsTokens.get(token);
    if (ws === undefined || this.#now() >= ws.expiresAtMs) return undefined;
    const session = this.#sessions.find((s) => s.id === ws.sessionId);
    if (session === undefined || session.ended) return undefined;
    return ws;
  }

  /** The current access token of an auth session (to run REST over the WebSocket). */
  accessTokenOf(sessionId: string): string | undefined {
    return this.#sessions.find((s) => s.id === sessionId && !s.ended)?.accessToken;
  }

  /** Test control: every current access token now fails with 401 OAU-128. */
  expireAccessTokens(): void {
    for (const s of this.#sessions) s.accessForcedExpired = true;
  }

  /** Test control: every refresh token is refused (400 invalid_grant); access tokens are untouched. */
  revokeRefreshTokens(): void {
    for (const s of this.#sessions) s.refreshRevoked = true;
  }

  get activeSessions(): number {
    return this.#sessions.filter((s) => !s.ended).length;
  }

  #issue(session: AuthSession, rotateRefresh: boolean): IssuedToken {
    this.#byAccess.delete(session.accessToken);
    session.accessToken = randomToken(32);
    session.accessExpiresAtMs = this.#now() + this.accessTtlS * 1000;
    session.accessForcedExpired = false;
    this.#byAccess.set(session.accessToken, session);
    if (rotateRefresh) {
      this.#byRefresh.delete(session.refreshToken);
      session.refreshToken = randomToken(32);
      session.refreshExpiresAtMs = this.#now() + this.refreshTtlS * 1000;
      this.#byRefresh.set(session.refreshToken, session);
    }
    return {
      access_token: session.accessToken,
      token_type: "bearer",
      expires_in: this.accessTtlS,
      refresh_token: session.refreshToken,
      refresh_token_expires_in: this.refreshTtlS,
      scope,
      owner_id: this.#ownerId,
      endpoint_id: randomToken(6),
      session_id: session.id,
    };
  }
}
