import { timingSafeEqual } from "node:crypto";
import type { FastifyPluginAsync } from "fastify";

/**
 * WebHook delivery (ringcentral.md 4.1): on subscription create RingCentral POSTs with a
 * `Validation-Token` header and no body; we must answer 200 echoing the header within 3 s.
 * Notifications then carry the subscription's verification token (`Verification-Token`; the
 * docs also show `validation-token` on notifications, so with a body either header counts); a
 * wrong or missing token gets 401. Malformed JSON gets 400 and is counted, never thrown.
 */
export interface WebhookRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The raw request body ("" when none). */
  readonly body: string;
}

export interface WebhookResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface WebhookReceiverOptions {
  /** The token given as `deliveryMode.verificationToken`; undefined accepts any (not advised). */
  readonly verificationToken: string | undefined;
  /** Gets each parsed notification (e.g. `TelephonySubscription.handleNotification`). */
  readonly onNotification: (notification: unknown) => void;
}

export interface WebhookCounters {
  validations: number;
  notifications: number;
  rejectedToken: number;
  malformed: number;
}

function header(headers: WebhookRequest["headers"], name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export class WebhookReceiver {
  readonly #options: WebhookReceiverOptions;
  readonly counters: WebhookCounters = { validations: 0, notifications: 0, rejectedToken: 0, malformed: 0 };

  constructor(options: WebhookReceiverOptions) {
    this.#options = options;
  }

  handle(request: WebhookRequest): WebhookResponse {
    const json = { "Content-Type": "application/json" };
    const validationToken = header(request.headers, "validation-token");
    const hasBody = request.body.trim().length > 0;
    if (validationToken !== undefined && !hasBody) {
      this.counters.validations += 1;
      return { status: 200, headers: { ...json, "Validation-Token": validationToken }, body: "" };
    }
    const expected = this.#options.verificationToken;
    if (expected !== undefined) {
      const presented = header(request.headers, "verification-token") ?? validationToken;
      if (presented === undefined || !sameToken(presented, expected)) {
        this.counters.rejectedToken += 1;
        return { status: 401, headers: json, body: '{"error":"invalid verification token"}' };
      }
    }
    let notification: unknown;
    try {
      notification = JSON.parse(request.body);
    } catch {
      this.counters.malformed += 1;
      return { status: 400, headers: json, body: '{"error":"body is not JSON"}' };
    }
    this.counters.notifications += 1;
    this.#options.onNotification(notification);
    return { status: 200, headers: json, body: "" };
  }
}

/**
 * Mounts a receiver on a Fastify app at `path` (register it with a prefix as needed). Bodies are
 * read raw in this plugin's own scope, so the handshake's empty JSON body is not an error.
 */
export function webhookPlugin(receiver: WebhookReceiver, path: string): FastifyPluginAsync {
  return async (instance) => {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => {
      done(null, body);
    });
    instance.post(path, async (request, reply) => {
      const response = receiver.handle({
        headers: request.headers,
        body: typeof request.body === "string" ? request.body : "",
      });
      return reply.code(response.status).headers(response.headers).send(response.body);
    });
  };
}
