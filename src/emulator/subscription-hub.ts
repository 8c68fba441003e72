import { newId, randomToken } from "../shared/index.js";
import type { EmulatedParty } from "./emulator-types.js";
import { errors, type RcErrorReply } from "./rc-error-body.js";
import type { TelephonyEventBody } from "./telephony-state.js";

/**
 * Subscriptions (ringcentral.md 4.1, 4.2): WebSocket ones live on a WebSocket session, WebHook
 * ones are validated with the `Validation-Token` handshake and then receive POSTed notifications
 * carrying `Verification-Token`. Only telephony-session filters produce events here.
 */
export type SubscriptionDelivery =
  | { readonly transportType: "WebSocket"; readonly wsSessionKey: string }
  | {
      readonly transportType: "WebHook";
      readonly address: string;
      readonly verificationToken: string | undefined;
    };

export interface EmulatedSubscription {
  readonly id: string;
  eventFilters: string[];
  readonly delivery: SubscriptionDelivery;
  readonly creationTime: string;
  expiresIn: number;
  expirationTimeMs: number;
}

interface ParsedFilter {
  readonly raw: string;
  readonly eventPath: string;
  readonly sipData: boolean;
  readonly statusCode: string | undefined;
  readonly direction: string | undefined;
}

export interface HubOptions {
  readonly accountId: string;
  readonly extensionId: string;
  readonly now: () => number;
  readonly webhookValidationTimeoutMs: number;
  readonly deliverWs: (wsSessionKey: string, notification: Record<string, unknown>) => void;
}

export class SubscriptionHub {
  readonly subscriptions = new Map<string, EmulatedSubscription>();
  readonly #options: HubOptions;
  counters = { notifications: 0, webhookDeliveries: 0, webhookFailures: 0 };

  constructor(options: HubOptions) {
    this.#options = options;
  }

  /** Resolves `~` and checks that a filter names a telephony-sessions resource we emulate. */
  #parse(filter: string): ParsedFilter | undefined {
    const url = new URL(filter, "http://emulator.invalid");
    const { accountId, extensionId } = this.#options;
    const path = url.pathname
      .replace(/\/account\/~(?=\/|$)/, `/account/${accountId}`)
      .replace(/\/extension\/~(?=\/|$)/, `/extension/${extensionId}`);
    const extLevel = `/restapi/v1.0/account/${accountId}/extension/${extensionId}/telephony/sessions`;
    const accountLevel = `/restapi/v1.0/account/${accountId}/telephony/sessions`;
    if (path !== extLevel && path !== accountLevel) return undefined;
    return {
      raw: filter,
      eventPath: `${path}${url.search}`,
      sipData: url.searchParams.get("sipData") === "true",
      statusCode: url.searchParams.get("statusCode") ?? undefined,
      direction: url.searchParams.get("direction") ?? undefined,
    };
  }

  validateFilters(filters: unknown): string[] | RcErrorReply {
    if (!Array.isArray(filters) || filters.length === 0) return errors.invalidFilters();
    const out: string[] = [];
    for (const filter of filters) {
      if (typeof filter !== "string" || this.#parse(filter) === undefined) return errors.invalidFilters();
      out.push(filter);
    }
    return out;
  }

  create(eventFilters: string[], delivery: SubscriptionDelivery, expiresIn: number): EmulatedSubscription {
    const subscription: EmulatedSubscription = {
      id: newId(),
      eventFilters,
      delivery,
      creationTime: new Date(this.#options.now()).toISOString(),
      expiresIn,
      expirationTimeMs: this.#options.now() + expiresIn * 1000,
    };
    this.subscriptions.set(subscription.id, subscription);
    return subscription;
  }

  renew(id: string, eventFilters: string[] | undefined): EmulatedSubscription | undefined {
    const subscription = this.subscriptions.get(id);
    if (subscription === undefined) return undefined;
    if (eventFilters !== undefined) subscription.eventFilters = eventFilters;
    subscription.expirationTimeMs = this.#options.now() + subscription.expiresIn * 1000;
    return subscription;
  }

  delete(id: string): boolean {
    return this.subscriptions.delete(id);
  }

  /** `SubscriptionInfo` as the API returns it. */
  info(subscription: EmulatedSubscription): Record<string, unknown> {
    return {
      uri: `/restapi/v1.0/subscription/${subscription.id}`,
      id: subscription.id,
      eventFilters: subscription.eventFilters,
      disabledFilters: [],
      expirationTime: new Date(subscription.expirationTimeMs).toISOString(),
      expiresIn: subscription.expiresIn,
      status: "Active",
      creationTime: subscription.creationTime,
      deliveryMode:
        subscription.delivery.transportType === "WebSocket"
          ? { transportType: "WebSocket", encryption: false }
          : { transportType: "WebHook", address: subscription.delivery.address, encryption: false },
    };
  }

  /**
   * The WebHook validation handshake: POST with `Validation-Token`; the receiver must answer 200
   * echoing the header within the timeout (else SUB-525).
   */
  async validateWebhook(address: string): Promise<boolean> {
    const token = randomToken(16);
    try {
      const response = await fetch(address, {
        method: "POST",
        headers: { "Validation-Token": token, "Content-Type": "application/json; charset=UTF-8" },
        body: "",
        signal: AbortSignal.timeout(this.#options.webhookValidationTimeoutMs),
      });
      await response.arrayBuffer();
      return response.status === 200 && response.headers.get("validation-token") === token;
    } catch {
      return false;
    }
  }

  /** Sends one event to every subscription whose filter matches it. */
  publish(body: TelephonyEventBody, party: EmulatedParty): void {
    for (const subscription of this.subscriptions.values()) {
      for (const raw of subscription.eventFilters) {
        const filter = this.#parse(raw);
        if (filter === undefined) continue;
        if (filter.statusCode !== undefined && filter.statusCode !== party.status.code) continue;
        if (filter.direction !== undefined && filter.direction !== party.direction) continue;
        const parties = filter.sipData
          ? body.parties
          : body.parties.map(({ sipData: _omitted, ...rest }) => rest);
        const notification = {
          uuid: newId(),
          event: filter.eventPath,
          timestamp: new Date(this.#options.now()).toISOString(),
          subscriptionId: subscription.id,
          ownerId: this.#options.extensionId,
          body: { ...body, parties },
        };
        this.counters.notifications += 1;
        this.#deliver(subscription, notification);
        break; // one notification per subscription per event
      }
    }
  }

  #deliver(subscription: EmulatedSubscription, notification: Record<string, unknown>): void {
    const delivery = subscription.delivery;
    if (delivery.transportType === "WebSocket") {
      this.#options.deliverWs(delivery.wsSessionKey, notification);
      return;
    }
    const headers: Record<string, string> = {
      "Content-Type": "application/json; charset=UTF-8",
      "User-Agent": "RingCentral-Webhook/8.3",
    };
    if (delivery.verificationToken !== undefined) headers["Verification-Token"] = delivery.verificationToken;
    fetch(delivery.address, {
      method: "POST",
      headers,
      body: JSON.stringify(notification),
      signal: AbortSignal.timeout(10_000),
    })
      .then(async (response) => {
        await response.arrayBuffer();
        if (response.ok) this.counters.webhookDeliveries += 1;
        else this.counters.webhookFailures += 1;
      })
      .catch(() => {
        this.counters.webhookFailures += 1;
      });
  }
}
