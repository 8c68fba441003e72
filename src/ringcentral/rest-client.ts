import RingCentral from "@rc-ex/core";
import { type Clock, type Logger, silentLogger, systemClock } from "../shared/index.js";
import { RestDiscipline, type RestRetryPolicy } from "./rest-discipline.js";
import { TokenManager } from "./token-manager.js";

/** What a RingCentral line needs to talk to the platform (config `lines[].ringcentral`). */
export interface RingCentralAppCredentials {
  /** Base URL, e.g. `https://platform.ringcentral.com` or the emulator's `http://127.0.0.1:PORT`. */
  readonly server: string;
  readonly clientId: string;
  /** Omitted for a public app (then `client_id` goes in the body). */
  readonly clientSecret?: string;
  /** The JWT credential from the Developer Console. */
  readonly jwt: string;
}

export interface RingCentralRestClientOptions extends RingCentralAppCredentials {
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly retry?: Partial<RestRetryPolicy>;
  readonly refreshAheadMs?: number;
  readonly random?: () => number;
  readonly appName?: string;
  readonly appVersion?: string;
}

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RestRequest {
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | number | boolean | readonly string[]>>;
  readonly signal?: AbortSignal;
}

export interface RestResult {
  readonly status: number;
  /** Parsed JSON body (unknown: callers validate what they read). */
  readonly data: unknown;
}

/**
 * Authenticated REST access through `@rc-ex/core`: every request goes through the
 * {@link RestDiscipline} (pacing, 429, 5xx) and the {@link TokenManager} (fresh token, 401 ->
 * refresh once -> retry). Secrets stay inside `@rc-ex/core`'s token and are never logged.
 */
export class RingCentralRestClient {
  readonly rc: RingCentral;
  readonly tokens: TokenManager;
  readonly discipline: RestDiscipline;
  readonly clock: Clock;
  readonly logger: Logger;

  constructor(options: RingCentralRestClientOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger();
    this.rc = new RingCentral({
      server: options.server,
      clientId: options.clientId,
      ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
      appName: options.appName ?? "ringagent",
      appVersion: options.appVersion ?? "0.1.0",
    });
    this.discipline = new RestDiscipline({
      clock: this.clock,
      logger: this.logger,
      ...(options.retry === undefined ? {} : { policy: options.retry }),
      ...(options.random === undefined ? {} : { random: options.random }),
    });
    this.tokens = new TokenManager({
      rc: this.rc,
      jwt: options.jwt,
      discipline: this.discipline,
      clock: this.clock,
      logger: this.logger,
      ...(options.refreshAheadMs === undefined ? {} : { refreshAheadMs: options.refreshAheadMs }),
    });
  }

  login(): Promise<void> {
    return this.tokens.login();
  }

  async request(method: HttpMethod, path: string, request: RestRequest = {}): Promise<RestResult> {
    let tokenUsed: string | undefined;
    const response = await this.discipline.run(
      method,
      path,
      async (timeoutMs) => {
        await this.tokens.ensureFresh();
        tokenUsed = this.tokens.accessToken;
        const r = await this.rc.request(method, path, request.body ?? undefined, request.query, {
          timeout: timeoutMs,
          ...(request.signal === undefined ? {} : { signal: request.signal }),
        });
        return { status: r.status, data: r.data, headers: r.headers };
      },
      {
        onUnauthorized: () => this.tokens.onUnauthorized(tokenUsed),
        ...(request.signal === undefined ? {} : { signal: request.signal }),
      },
    );
    return { status: response.status, data: response.data };
  }

  get(path: string, query?: RestRequest["query"]): Promise<RestResult> {
    return this.request("GET", path, query === undefined ? {} : { query });
  }

  post(path: string, body?: unknown): Promise<RestResult> {
    return this.request("POST", path, body === undefined ? {} : { body });
  }

  patch(path: string, body: unknown): Promise<RestResult> {
    return this.request("PATCH", path, { body });
  }

  delete(path: string): Promise<RestResult> {
    return this.request("DELETE", path);
  }

  /** Revokes the session (best effort). */
  close(): Promise<void> {
    return this.tokens.revoke();
  }
}
