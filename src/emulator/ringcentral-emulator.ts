import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { type Clock, systemClock } from "../shared/index.js";
import { registerAccountRoutes } from "./account-routes.js";
import { type AppPermission, requiredPermission } from "./app-permissions.js";
import { registerCallControlRoutes } from "./call-control-routes.js";
import { registerControlRoutes } from "./control-routes.js";
import {
  defaultDevices,
  defaultGroupLimits,
  type EmulatedDevice,
  type EmulatedSession,
  type EmulatorOptions,
  type FaultRule,
  type GroupLimit,
  type PartyStatusCode,
  type RateLimitGroup,
  type RequestRecord,
} from "./emulator-types.js";
import { registerOAuthRoutes, sendError } from "./oauth-routes.js";
import { EmulatorRateLimiter, groupOfRequest } from "./rate-limiter.js";
import { errors } from "./rc-error-body.js";
import { SubscriptionHub } from "./subscription-hub.js";
import { type SimulatedCallInit, TelephonyState } from "./telephony-state.js";
import { TokenStore } from "./token-store.js";
import { WsGateway } from "./ws-gateway.js";

/** A call driven by a test: each step publishes the telephony-session event of our party. */
export interface SimulatedCall {
  readonly telephonySessionId: string;
  readonly partyId: string;
  readonly sipCallId: string;
  proceed(): void;
  answer(): void;
  hold(): void;
  /** The caller hangs up (our party Disconnected, reason CallFinished... as RingCentral reports). */
  hangUp(): void;
}

/**
 * The RingCentral emulator: a real HTTP + WebSocket server on 127.0.0.1 (free port by default)
 * with OAuth, devices/sip-info, WebSocket and WebHook subscriptions, telephony-session events,
 * Call Control, call log and rate limiting, plus test controls. See ringcentral.md 11.
 */
export class RingCentralEmulator {
  readonly accountId: string;
  readonly extensionId: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly tokens: TokenStore;
  readonly telephony: TelephonyState;
  readonly hub: SubscriptionHub;
  readonly gateway: WsGateway;
  readonly rateLimiter: EmulatorRateLimiter;
  /** Every HTTP request served (method, path without query, status), for assertions. */
  readonly requests: RequestRecord[] = [];
  devices: EmulatedDevice[];
  /** Permissions the app lacks: their endpoints answer 403 CMN-408 (see app-permissions.ts). */
  readonly missingPermissions = new Set<AppPermission>();
  readonly #options: EmulatorOptions;
  readonly #app: FastifyInstance;
  readonly #faults: FaultRule[] = [];
  #url = "";

  private constructor(options: EmulatorOptions, clock: Clock) {
    const now = (): number => clock.epochMs();
    this.#options = options;
    this.accountId = options.accountId ?? "100000001";
    this.extensionId = options.extensionId ?? "200000001";
    this.clientId = options.clientId ?? "emulator-client-id";
    this.clientSecret = "clientSecret" in options ? options.clientSecret : "emulator-client-secret";
    this.devices = (options.devices ?? defaultDevices()).map((d) => ({ ...d }));
    this.tokens = new TokenStore({
      now,
      ownerId: this.extensionId,
      accessTtlS: options.accessTokenTtlS ?? 3600,
      refreshTtlS: options.refreshTokenTtlS ?? 604_800,
      wsTtlS: options.wsTokenTtlS ?? 600,
    });
    this.hub = new SubscriptionHub({
      accountId: this.accountId,
      extensionId: this.extensionId,
      now,
      webhookValidationTimeoutMs: options.webhookValidationTimeoutMs ?? 3000,
      deliverWs: (key, notification) => this.gateway.deliver(key, notification),
    });
    this.telephony = new TelephonyState({
      accountId: this.accountId,
      extensionId: this.extensionId,
      extensionNumber: options.extensionNumber ?? "101",
      now,
      callLogDelayMs: options.callLogDelayMs ?? 0,
      publish: (body, party) => this.hub.publish(body, party),
    });
    this.rateLimiter = new EmulatorRateLimiter({ ...defaultGroupLimits, ...options.rateLimits }, now);
    this.#app = Fastify({ logger: false });
    this.gateway = new WsGateway({
      tokens: this.tokens,
      hub: this.hub,
      now,
      recoveryTimeoutS: options.recoveryTimeoutS ?? 180,
      recoveryBufferSize: options.recoveryBufferSize ?? 100,
      rest: async ({ method, path, query, body, accessToken }) => {
        const search =
          query !== null && typeof query === "object"
            ? new URLSearchParams(
                Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]),
              ).toString()
            : "";
        const response = await this.#app.inject({
          method: method as "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
          url: search === "" ? path : `${path}?${search}`,
          headers: { authorization: `Bearer ${accessToken}` },
          ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
        });
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(response.headers)) if (typeof v === "string") headers[k] = v;
        return {
          status: response.statusCode,
          headers,
          body: response.body === "" ? undefined : response.json(),
        };
      },
    });
    this.#setup(now);
  }

  /** Starts an emulator listening on `host:port` (127.0.0.1 and a free port by default). */
  static async start(
    options: EmulatorOptions = {},
    clock: Clock = systemClock,
  ): Promise<RingCentralEmulator> {
    const emulator = new RingCentralEmulator(options, clock);
    await emulator.#app.listen({ host: options.host ?? "127.0.0.1", port: options.port ?? 0 });
    const address = emulator.#app.server.address() as AddressInfo;
    emulator.#url = `http://${address.address}:${address.port}`;
    return emulator;
  }

  /** Base URL for `server` in client options, e.g. `http://127.0.0.1:40123`. */
  get url(): string {
    return this.#url;
  }

  async stop(): Promise<void> {
    this.gateway.close();
    await this.#app.close();
  }

  // ---- test controls -------------------------------------------------------------------------

  /** Every current access token fails with 401 OAU-128 from now on. */
  expireAccessTokens(): void {
    this.tokens.expireAccessTokens();
  }

  /** Every refresh token is refused with 400 invalid_grant (the JWT still logs in). */
  revokeRefreshTokens(): void {
    this.tokens.revokeRefreshTokens();
  }

  setAccessTokenTtlS(ttlS: number): void {
    this.tokens.accessTtlS = ttlS;
  }

  setRateLimit(group: RateLimitGroup, limit: GroupLimit): void {
    this.rateLimiter.setLimit(group, limit);
  }

  setDeviceStatus(deviceId: string, status: "Online" | "Offline"): void {
    const device = this.devices.find((d) => d.id === deviceId);
    if (device !== undefined) device.status = status;
  }

  /** The next `times` requests matching the rule get its status and body instead. */
  injectFault(rule: FaultRule): void {
    this.#faults.push({ ...rule, times: rule.times ?? 1 });
  }

  /** Drops every WebSocket abruptly; `failRecovery` makes the reconnect report recoveryState Failed. */
  dropWebSockets(options: { failRecovery?: boolean } = {}): void {
    this.gateway.failRecovery = options.failRecovery ?? false;
    this.gateway.dropAll();
  }

  /** An inbound call to our extension: Setup now; drive it with the returned handle. */
  simulateInboundCall(init: SimulatedCallInit): SimulatedCall {
    const session = this.telephony.createInboundCall(init);
    const party = this.telephony.ourParty(session);
    const step = (code: PartyStatusCode, reason?: string): void => {
      if (session.endedAtMs !== undefined) return;
      this.telephony.setStatus(session, party, { code, ...(reason === undefined ? {} : { reason }) });
    };
    return {
      telephonySessionId: session.telephonySessionId,
      partyId: party.id,
      sipCallId: init.sipCallId,
      proceed: () => step("Proceeding"),
      answer: () => step("Answered"),
      hold: () => step("Hold"),
      hangUp: () => {
        if (session.endedAtMs === undefined) this.telephony.endSession(session, "CallFinished");
      },
    };
  }

  /** Publishes the given statuses of the call with this SIP Call-ID (creating it in Setup when new). */
  emitCallEvents(sipCallId: string, ...statuses: PartyStatusCode[]): EmulatedSession {
    const session =
      this.telephony.findBySipCallId(sipCallId) ??
      this.telephony.createInboundCall({ sipCallId, from: "+16505550111", to: "+16505550100" });
    const party = this.telephony.ourParty(session);
    for (const code of statuses) {
      if (session.endedAtMs !== undefined) break;
      if (code === "Setup" && party.status.code === "Setup") continue; // already published on creation
      this.telephony.setStatus(session, party, { code });
    }
    return session;
  }

  // ---- server --------------------------------------------------------------------------------

  #setup(now: () => number): void {
    const app = this.#app;
    app.addContentTypeParser(
      "application/x-www-form-urlencoded",
      { parseAs: "string" },
      (_request, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(String(body))));
      },
    );
    app.server.on("upgrade", (request, socket, head) => this.gateway.handleUpgrade(request, socket, head));

    app.addHook("onRequest", async (request, reply) => {
      const path = request.url.split("?")[0] ?? "";
      const fault = this.#faults.find(
        (f) => (f.method === undefined || f.method === request.method) && path.includes(f.pathContains),
      );
      if (fault !== undefined) {
        fault.times = (fault.times ?? 1) - 1;
        if (fault.times <= 0) this.#faults.splice(this.#faults.indexOf(fault), 1);
        for (const [name, value] of Object.entries(fault.headers ?? {})) reply.header(name, value);
        return reply
          .code(fault.status)
          .type("application/json")
          .send(fault.body ?? {});
      }
      if (path.startsWith("/restapi/v1.0/")) {
        const auth = this.tokens.authenticate(request.headers.authorization);
        if ("status" in auth) return sendError(reply, auth);
      }
      const permission = requiredPermission(path);
      if (permission !== undefined && this.missingPermissions.has(permission)) {
        return sendError(reply, errors.missingPermission(permission));
      }
      if (path.startsWith("/restapi/")) {
        const decision = this.rateLimiter.check(groupOfRequest(request.method, path));
        for (const [name, value] of Object.entries(decision.headers)) reply.header(name, value);
        if (!decision.allowed) {
          return sendError(reply, {
            ...errors.rateExceeded(),
            headers: { "Retry-After": String(decision.retryAfterS) },
          });
        }
      }
      return undefined;
    });
    app.addHook("onResponse", async (request, reply) => {
      this.requests.push({
        method: request.method,
        path: request.url.split("?")[0] ?? "",
        status: reply.statusCode,
      });
    });
    app.setNotFoundHandler(async (_request, reply) => sendError(reply, errors.notFound("path")));

    registerOAuthRoutes(app, {
      tokens: this.tokens,
      clientId: this.clientId,
      clientSecret: this.clientSecret,
      acceptedJwts: this.#options.acceptedJwts,
      now,
      wsUri: () => `${this.#url.replace(/^http/, "ws")}/ws`,
    });
    registerAccountRoutes(app, {
      accountId: this.accountId,
      extensionId: this.extensionId,
      devices: () => this.devices,
      telephony: this.telephony,
      hub: this.hub,
      now,
    });
    registerCallControlRoutes(app, this.telephony);
    registerControlRoutes(app, this);
  }
}
