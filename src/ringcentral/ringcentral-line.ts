import {
  type Clock,
  describeError,
  type Logger,
  RingagentError,
  silentLogger,
  systemClock,
} from "../shared/index.js";
import { CallControl } from "./call-control.js";
import { CallCorrelator } from "./call-correlator.js";
import { type CallLogSummary, fetchCallLogRecord } from "./call-log-sync.js";
import { DeviceHealthMonitor } from "./device-health-monitor.js";
import {
  checkJwtCredential,
  defaultJwtWarnDays,
  describeJwtCheck,
  type JwtCredentialCheck,
} from "./jwt-credential.js";
import { type RingCentralAppCredentials, RingCentralRestClient } from "./rest-client.js";
import type { RestRetryPolicy } from "./rest-discipline.js";
import {
  type ManualSipCredentials,
  type RingCentralSipSettings,
  resolveSipSettings,
} from "./sip-credentials.js";
import { TelephonySubscription, telephonySessionsFilter } from "./telephony-subscription.js";
import { WebhookReceiver } from "./webhook-receiver.js";

/**
 * The REST side of a `ringcentral` line, composed: log in with the JWT, resolve the device's SIP
 * credentials (handed to the SIP UA), subscribe to telephony-session events (WebSocket, or
 * WebHook through {@link RingCentralLine.webhookReceiver}), watch the device's registration
 * status, and offer Call Control and call-log sync. SIP registration itself is not here: the UA
 * registers with {@link RingCentralLineStart.sip} and reports its state via `setRegistered`.
 */
export interface RingCentralLineOptions extends RingCentralAppCredentials {
  readonly deviceId?: string | undefined;
  /** TLS outbound-proxy region from sip-info (config default "NA"). */
  readonly region: string;
  readonly manualSip?: ManualSipCredentials | undefined;
  /** `websocket` (default): `@rc-ex/ws` with auto-recover; `webhook`: events come via HTTP; `none`. */
  readonly events?: "websocket" | "webhook" | "none";
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly retry?: Partial<RestRetryPolicy>;
  readonly refreshAheadMs?: number;
  readonly jwtWarnDays?: number;
  readonly devicePollingIntervalMs?: number;
  readonly recoverCheckIntervalMs?: (retriesAttempted: number) => number;
  /** Call-log polling after a call (records appear with latency). */
  readonly callLog?: { readonly attempts?: number; readonly delayMs?: number };
}

export interface RingCentralLineStart {
  /** For the SIP UA: AOR `sip:{username}@{domain}`, digest user `authorizationId`, realm `domain`, TLS to `outboundProxy`. */
  readonly sip: RingCentralSipSettings;
  readonly jwt: JwtCredentialCheck;
}

export class RingCentralLine {
  readonly client: RingCentralRestClient;
  readonly correlator: CallCorrelator;
  readonly callControl: CallControl;
  readonly subscription: TelephonySubscription;
  #monitor: DeviceHealthMonitor | undefined;
  #webhookSubscriptionId: string | undefined;
  readonly #options: RingCentralLineOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;

  constructor(options: RingCentralLineOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger();
    this.client = new RingCentralRestClient({
      server: options.server,
      clientId: options.clientId,
      jwt: options.jwt,
      clock: this.#clock,
      logger: this.#logger,
      ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      ...(options.refreshAheadMs === undefined ? {} : { refreshAheadMs: options.refreshAheadMs }),
    });
    this.correlator = new CallCorrelator({ clock: this.#clock });
    this.callControl = new CallControl(this.client);
    this.subscription = new TelephonySubscription({
      client: this.client,
      correlator: this.correlator,
      logger: this.#logger,
      ...(options.recoverCheckIntervalMs === undefined
        ? {}
        : { recoverCheckIntervalMs: options.recoverCheckIntervalMs }),
    });
  }

  /** Checks the JWT (no network), logs in, resolves SIP settings, starts events and device polling. */
  async start(): Promise<RingCentralLineStart> {
    const jwt = checkJwtCredential(
      this.#options.jwt,
      this.#clock.epochMs(),
      this.#options.jwtWarnDays ?? defaultJwtWarnDays,
    );
    if (jwt.status === "expiring-soon" || jwt.status === "expired" || jwt.status === "malformed") {
      this.#logger.warn({ jwtStatus: jwt.status }, `ringcentral: ${describeJwtCheck(jwt)}`);
    }
    await this.client.login();
    const sip = await resolveSipSettings(this.client, {
      deviceId: this.#options.deviceId,
      region: this.#options.region,
      manual: this.#options.manualSip,
      logger: this.#logger,
    });
    if ((this.#options.events ?? "websocket") === "websocket") await this.subscription.start();
    if (sip.deviceId !== undefined) {
      this.#monitor = new DeviceHealthMonitor({
        client: this.client,
        deviceId: sip.deviceId,
        clock: this.#clock,
        logger: this.#logger,
        ...(this.#options.devicePollingIntervalMs === undefined
          ? {}
          : { pollingIntervalMs: this.#options.devicePollingIntervalMs }),
      });
      this.#monitor.start();
    }
    this.#logger.info(
      { deviceId: sip.deviceId, region: sip.region, source: sip.source },
      "ringcentral: line ready for SIP registration",
    );
    return { sip, jwt };
  }

  /** Registration health from REST (undefined with manual credentials and no device id). */
  get deviceHealth(): DeviceHealthMonitor | undefined {
    return this.#monitor;
  }

  /** Seam for the SIP UA's registration state (feeds the takeover detection). */
  setRegistered(registered: boolean): void {
    this.#monitor?.setRegistered(registered);
  }

  /** For `events: "webhook"`: mount with `webhookPlugin(receiver, path)` on the HTTP server. */
  webhookReceiver(verificationToken: string | undefined): WebhookReceiver {
    return new WebhookReceiver({
      verificationToken,
      onNotification: (notification) => this.subscription.handleNotification(notification),
    });
  }

  /**
   * For `events: "webhook"`: creates the WebHook subscription to our telephony events. RingCentral
   * validates `address` at once (the receiver must echo Validation-Token within 3 s), then signs
   * every notification with `verificationToken`. Deleted again by {@link stop}. Returns its id.
   */
  async subscribeWebhook(address: string, verificationToken: string): Promise<string> {
    const { data } = await this.client.post("/restapi/v1.0/subscription", {
      eventFilters: [telephonySessionsFilter],
      deliveryMode: { transportType: "WebHook", address, verificationToken },
      expiresIn: 315_360_000,
    });
    const id = (data as { id?: unknown } | undefined)?.id;
    if (typeof id !== "string") {
      throw new RingagentError("ringcentral_response_invalid", "the subscription response has no id");
    }
    this.#webhookSubscriptionId = id;
    return id;
  }

  /** The call-log record of a finished call (undefined when it has not appeared yet). */
  fetchCallLog(telephonySessionId: string, signal?: AbortSignal): Promise<CallLogSummary | undefined> {
    return fetchCallLogRecord(this.client, telephonySessionId, {
      clock: this.#clock,
      ...(this.#options.callLog?.attempts === undefined ? {} : { attempts: this.#options.callLog.attempts }),
      ...(this.#options.callLog?.delayMs === undefined ? {} : { delayMs: this.#options.callLog.delayMs }),
      ...(signal === undefined ? {} : { signal }),
    });
  }

  /** Stops polling and events, then revokes the session. Never throws. */
  async stop(): Promise<void> {
    this.#monitor?.stop();
    const webhookId = this.#webhookSubscriptionId;
    this.#webhookSubscriptionId = undefined;
    if (webhookId !== undefined) {
      try {
        await this.client.delete(`/restapi/v1.0/subscription/${encodeURIComponent(webhookId)}`);
      } catch (error) {
        this.#logger.warn(
          { err: describeError(error) },
          "ringcentral: deleting the webhook subscription failed",
        );
      }
    }
    try {
      await this.subscription.stop();
    } catch (error) {
      this.#logger.warn({ err: describeError(error) }, "ringcentral: stopping the subscription failed");
    }
    await this.client.close();
  }
}
