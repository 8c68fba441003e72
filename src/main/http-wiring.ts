/**
 * The HTTP API of a running service: readiness (store, each line's registration, webhook
 * subscriptions), live-call actions (hang up, transfer), metrics, and the RingCentral webhook
 * receivers, subscribed once the server listens.
 */
import { callControlTarget, resolveTransferTarget } from "../agent/index.js";
import type { RingagentConfig } from "../config/index.js";
import {
  createHttpServer,
  type HttpServer,
  type LiveCallActionResult,
  type Metrics,
  type ReadinessCheck,
  storeReadiness,
} from "../http/index.js";
import { type RingCentralLine, type WebhookReceiver, webhookPlugin } from "../ringcentral/index.js";
import { describeError, type Logger } from "../shared/index.js";
import type { CallStore } from "../store/index.js";
import type { Telephony } from "../telephony/index.js";
import { type WebhookLine, webhookLines } from "./service-config.js";
import type { LineHandle, RingCentralLineHandle } from "./service-handle.js";

export interface HttpWiring {
  readonly config: RingagentConfig;
  readonly store: CallStore;
  readonly telephony: Telephony;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly lines: readonly LineHandle[];
  readonly rcLines: readonly RingCentralLineHandle[];
  /** True once stop() began: every line reports not ready. */
  readonly draining: () => boolean;
}

/** Starts the HTTP API when `http.enabled`; `http` and `httpUrl` are undefined otherwise. */
export async function startHttpApi(
  wiring: HttpWiring,
): Promise<{ http: HttpServer | undefined; httpUrl: string | undefined }> {
  const { config, store, telephony, metrics, logger, lines, rcLines, draining } = wiring;
  const readiness = async (): Promise<ReadinessCheck[]> => {
    const checks: ReadinessCheck[] = [await storeReadiness(store)];
    for (const line of lines) {
      const state = line.ua?.registrationState;
      const ok = draining()
        ? false
        : state === undefined
          ? line.addresses.length > 0
          : state === "registered";
      checks.push({
        name: `line ${line.name}`,
        ok,
        ...(ok ? {} : { detail: draining() ? "stopping" : `registration ${state ?? "not listening"}` }),
      });
    }
    for (const [name, why] of webhookFailures)
      checks.push({ name: `ringcentral events ${name}`, ok: false, detail: `webhook subscription: ${why}` });
    return checks;
  };

  const live = {
    hangUp: async (callId: string): Promise<LiveCallActionResult> => {
      const call = telephony.manager.getCall(callId);
      if (call === undefined) return { ok: false, reason: "not_live" };
      await call.hangup();
      return { ok: true };
    },
    transfer: async (callId: string, to: string): Promise<LiveCallActionResult> => {
      const call = telephony.manager.getCall(callId);
      if (call === undefined) return { ok: false, reason: "not_live" };
      if (call.state !== "active" && call.state !== "on_hold")
        return { ok: false, reason: "wrong_state", state: call.state };
      // RingCentral: Call Control (REST) once the party is known; SIP REFER otherwise.
      const link = rcLines.find((h) => h.name === call.lineName)?.link;
      const rcTarget = callControlTarget(to);
      if (link?.partyOf(callId) !== undefined && rcTarget !== undefined) {
        const result = await link.transfer(callId, rcTarget);
        return result.outcome === "success"
          ? { ok: true }
          : { ok: false, reason: "wrong_state", state: `call_control_${result.errorCode ?? result.reason}` };
      }
      const target = resolveTransferTarget(to, {}, call.signaling.remoteUri);
      if (target === undefined) return { ok: false, reason: "wrong_state", state: "bad_target" };
      const result = await call.transfer(target);
      return result.outcome === "success"
        ? { ok: true }
        : { ok: false, reason: "wrong_state", state: `refer_${result.status}` };
    },
  };

  const webhooks = webhookLines(config);
  /** Webhook subscriptions that failed (line name -> why); /readyz reports them. */
  const webhookFailures = new Map<string, string>();
  if (!config.http.enabled) return { http: undefined, httpUrl: undefined };
  const http = createHttpServer({
    webhookPaths: webhooks.map((w) => w.path),
    listen: config.http.listen,
    token: config.http.token,
    store,
    calls: live,
    readiness,
    registry: metrics.registry,
    recordingsDir: config.recordings.dir,
    logger,
  });
  const receivers: Array<{ hook: WebhookLine; rc: RingCentralLine; receiver: WebhookReceiver }> = [];
  for (const hook of webhooks) {
    const rc = rcLines.find((h) => h.name === hook.name)?.line;
    if (rc === undefined) continue;
    const receiver = rc.webhookReceiver(hook.verificationToken);
    await http.app.register(webhookPlugin(receiver, hook.path));
    receivers.push({ hook, rc, receiver });
  }
  const bound = await http.listen();
  logger.info({ url: bound.url, access: http.accessMode }, "http api listening");
  // RingCentral validates the address at once, so subscribe only once we listen.
  for (const { hook, rc } of receivers) {
    try {
      await rc.subscribeWebhook(hook.address, hook.verificationToken);
      logger.info({ line: hook.name, path: hook.path }, "ringcentral: webhook subscription created");
    } catch (error) {
      webhookFailures.set(hook.name, describeError(error));
      logger.error(
        { line: hook.name, err: describeError(error) },
        "ringcentral: webhook subscription failed: no call events for this line; check that webhook.address reaches webhook.path on this server",
      );
    }
  }
  return { http, httpUrl: bound.url };
}
