import RestException from "@rc-ex/core/RestException";
import * as rcWs from "@rc-ex/ws";
import { describeError, type Logger } from "../shared/index.js";
import type { CallCorrelator } from "./call-correlator.js";
import { RingCentralApiError } from "./rc-api-error.js";
import type { RingCentralRestClient } from "./rest-client.js";
import { parseTelephonyNotification, toStatusCode } from "./telephony-event.js";

/** The event filter for our extension's calls with SIP data (ringcentral.md 4.3, 4.4). */
export const telephonySessionsFilter = "/restapi/v1.0/account/~/extension/~/telephony/sessions?sipData=true";

/**
 * `@rc-ex/ws`'s auto-recover timer rethrows a `RestException` from `recover()` (e.g. 401 on
 * `/oauth/wstoken` after a token was revoked), which would be an unhandled rejection. This turns
 * it into an ordinary failure (retried at the next check) after renewing our token.
 */
// `@rc-ex/ws` ships ESM code under CommonJS-style typings (no "type": "module"), so TypeScript sees
// the class one `default` deeper than Node does at run time. Resolve it either way.
type WebSocketExtensionClass = typeof rcWs.default.default;
const wsDefault: unknown = rcWs.default;
const WebSocketExtension = (
  typeof wsDefault === "function" ? wsDefault : (wsDefault as { default: unknown }).default
) as WebSocketExtensionClass;

class GuardedWebSocketExtension extends WebSocketExtension {
  readonly #onRestFailure: (error: unknown) => Promise<void>;

  constructor(
    options: ConstructorParameters<typeof WebSocketExtension>[0],
    onRestFailure: (error: unknown) => Promise<void>,
  ) {
    super(options);
    this.#onRestFailure = onRestFailure;
  }

  override async recover(): Promise<void> {
    try {
      await super.recover();
    } catch (error) {
      if (!(error instanceof RestException)) throw error;
      await this.#onRestFailure(error).catch(() => undefined);
      throw new Error(`WebSocket recovery failed with HTTP ${error.response.status}`);
    }
  }
}

export interface TelephonySubscriptionOptions {
  readonly client: RingCentralRestClient;
  readonly correlator: CallCorrelator;
  readonly logger: Logger;
  /** `@rc-ex/ws` auto-recover check interval (its default grows 2 s -> 8 s). */
  readonly recoverCheckIntervalMs?: (retriesAttempted: number) => number;
  readonly eventFilters?: readonly string[];
}

export interface SubscriptionCounters {
  notifications: number;
  malformed: number;
  recoveries: number;
  failedRecoveries: number;
  recoverErrors: number;
  resyncs: number;
  resyncChanges: number;
}

/**
 * Telephony-session events over a WebSocket subscription (`@rc-ex/ws` with auto-recover). After
 * every recovery (successful or not) it re-syncs: each tracked call with a known session is
 * fetched by GET, so a status change missed while the socket was down is still delivered.
 */
export class TelephonySubscription {
  readonly #options: TelephonySubscriptionOptions;
  #extension: GuardedWebSocketExtension | undefined;
  #resyncing: Promise<void> | undefined;
  readonly counters: SubscriptionCounters = {
    notifications: 0,
    malformed: 0,
    recoveries: 0,
    failedRecoveries: 0,
    recoverErrors: 0,
    resyncs: 0,
    resyncChanges: 0,
  };

  constructor(options: TelephonySubscriptionOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    const { client, logger } = this.#options;
    await client.tokens.ensureFresh();
    const extension = new GuardedWebSocketExtension(
      {
        autoRecover: {
          enabled: true,
          ...(this.#options.recoverCheckIntervalMs === undefined
            ? {}
            : { checkInterval: this.#options.recoverCheckIntervalMs }),
        },
      },
      async (error) => {
        this.counters.recoverErrors += 1;
        if (error instanceof RestException && error.response.status === 401) {
          await client.tokens.onUnauthorized(client.tokens.accessToken);
        }
      },
    );
    this.#extension = extension;
    extension.eventEmitter.on("autoRecoverSuccess", () => {
      this.counters.recoveries += 1;
      logger.info("ringcentral: telephony subscription recovered");
      this.#resyncInBackground();
    });
    extension.eventEmitter.on("autoRecoverFailed", () => {
      this.counters.failedRecoveries += 1;
      logger.warn("ringcentral: WebSocket session not recovered; subscribed again");
      this.#resyncInBackground();
    });
    extension.eventEmitter.on("autoRecoverError", (error: unknown) => {
      this.counters.recoverErrors += 1;
      logger.warn({ err: describeError(error) }, "ringcentral: WebSocket recovery attempt failed");
    });
    await client.rc.installExtension(extension);
    await extension.subscribe(
      [...(this.#options.eventFilters ?? [telephonySessionsFilter])],
      (notification) => this.handleNotification(notification),
    );
  }

  /** One notification (also the entry point for webhook deliveries). Never throws. */
  handleNotification(notification: unknown): void {
    const event = parseTelephonyNotification(notification);
    if (event === undefined) {
      this.counters.malformed += 1;
      return;
    }
    this.counters.notifications += 1;
    this.#options.correlator.handleEvent(event);
  }

  /** GETs the session of every tracked, unfinished call and applies any status we missed. */
  resync(): Promise<void> {
    if (this.#resyncing !== undefined) return this.#resyncing;
    const run = this.#resync().finally(() => {
      this.#resyncing = undefined;
    });
    this.#resyncing = run;
    return run;
  }

  async stop(): Promise<void> {
    const extension = this.#extension;
    this.#extension = undefined;
    if (extension === undefined) return;
    try {
      await extension.revoke();
    } catch (error) {
      this.#options.logger.warn({ err: describeError(error) }, "ringcentral: subscription revoke failed");
    }
    // `revoke()` runs through the extension list of `rc.revoke()` as well; leave it inert there.
    extension.disable();
  }

  #resyncInBackground(): void {
    this.resync().catch((error: unknown) => {
      this.#options.logger.warn({ err: describeError(error) }, "ringcentral: re-sync after recovery failed");
    });
  }

  async #resync(): Promise<void> {
    const { client, correlator } = this.#options;
    this.counters.resyncs += 1;
    for (const call of correlator.trackedCalls) {
      const sessionId = call.telephonySessionId;
      const partyId = call.partyId;
      if (sessionId === undefined || partyId === undefined || call.ended) continue;
      try {
        const { data } = await client.get(
          `/restapi/v1.0/account/~/telephony/sessions/${encodeURIComponent(sessionId)}`,
        );
        const parties = (data as { parties?: unknown } | undefined)?.parties;
        const party = Array.isArray(parties)
          ? (parties as { id?: unknown; status?: { code?: unknown; reason?: unknown } }[]).find(
              (p) => p.id === partyId,
            )
          : undefined;
        const rawCode = party?.status?.code;
        if (typeof rawCode !== "string") continue;
        const before = call.current?.code;
        const reason = typeof party?.status?.reason === "string" ? party.status.reason : undefined;
        correlator.applyResync(call, toStatusCode(rawCode), reason);
        if (call.current?.code !== before) this.counters.resyncChanges += 1;
      } catch (error) {
        if (error instanceof RingCentralApiError && error.status === 404) {
          // The session is gone: the call ended while we were not listening.
          correlator.applyResync(call, "Gone", undefined);
          this.counters.resyncChanges += 1;
          continue;
        }
        throw error;
      }
    }
  }
}
