/**
 * `startRingagent`: opens the store, builds the telephony core, the journal and every agent, starts
 * the lines and the HTTP API, and returns a {@link ServiceHandle} whose `stop()` drains and closes.
 */
import { hostname } from "node:os";
import { join } from "node:path";
import { CallJournal, isRealtimeAgent } from "../agent/index.js";
import type { RingagentConfig } from "../config/index.js";
import { createMetrics } from "../http/index.js";
import { mediaAddonStatus } from "../media/index.js";
import type { RingCentralLine } from "../ringcentral/index.js";
import { describeError, systemClock } from "../shared/index.js";
import { applyRetention } from "../store/index.js";
import { createTelephony } from "../telephony/index.js";
import { buildAgentHandlers } from "./agent-wiring.js";
import { startHttpApi } from "./http-wiring.js";
import { startLines } from "./line-startup.js";
import { providerFactory } from "./provider-factory.js";
import { missingRuntimeFlags } from "./runtime-flags.js";
import { loggerFor, openStore, packageVersion, rtpBindAddressFor } from "./service-config.js";
import type { LineHandle, RingCentralLineHandle, ServiceHandle, StartOptions } from "./service-handle.js";

/** Starts every configured line with its agent; resolves once all are listening/registering. */
export async function startRingagent(
  config: RingagentConfig,
  options: StartOptions = {},
): Promise<ServiceHandle> {
  const logger = options.logger ?? loggerFor(config);
  const instance = config.instance ?? hostname();
  logger.info(
    { config: options.configPath ?? "built-in default", version: packageVersion(), instance },
    "ringagent starting",
  );
  const media = mediaAddonStatus();
  if (media.engine === "native") logger.info({ mediaEngine: media.engine }, "media engine: native");
  else
    logger.warn(
      { mediaEngine: media.engine, reason: media.detail },
      "media engine: pure JS (more CPU per call)",
    );
  // Each conversation agent's LLM is built once before anything is opened, so config and API key
  // errors (e.g. OPENAI_API_KEY unset) stop the start with one clear error, not fail every call.
  const llmCheck = options.providers ?? providerFactory();
  for (const agent of Object.values(config.agents))
    if (agent.kind === "conversation" && !isRealtimeAgent(agent)) llmCheck.llm(agent);
  const store = await openStore(config);
  const interrupted = await store.markInterrupted(instance, Date.now());
  if (interrupted > 0)
    logger.warn({ calls: interrupted }, "calls left active by a previous run marked interrupted");
  if (config.recordings.enabled) {
    const retention = await applyRetention(store, {
      retentionDays: config.recordings.retentionDays,
      nowEpochMs: Date.now(),
      recordingsDir: config.recordings.dir,
    });
    logger.info({ retention }, "retention applied");
  }

  const metrics = createMetrics();
  const telephony = createTelephony({
    rtpPortMin: config.media.rtpPortMin,
    rtpPortMax: config.media.rtpPortMax,
    codecs: config.media.codecs,
    mediaTimeoutMs: config.media.mediaTimeoutMs,
    userAgent: config.sip.userAgent,
    timers: { t1Ms: config.sip.t1Ms, t2Ms: config.sip.t2Ms, t4Ms: config.sip.t4Ms },
    logger,
    ...(rtpBindAddressFor(config) === undefined ? {} : { rtpBindAddress: "127.0.0.1" }),
  });
  const agentOfLine = new Map(config.lines.map((l) => [l.name, l.agent]));
  const journal = new CallJournal({
    store,
    metrics: metrics.recorder,
    instance,
    clock: systemClock,
    logger,
    agentOfLine: (line) => agentOfLine.get(line) ?? "unknown",
  });
  journal.attach(telephony.manager);

  let draining = false;
  const lines: LineHandle[] = [];
  const ringcentral: RingCentralLine[] = [];
  const rcLines: RingCentralLineHandle[] = [];
  const providers =
    options.providers ?? providerFactory({ ttsCacheDir: join(config.recordings.dir, "..", "tts-cache") });
  const handlers = await buildAgentHandlers({
    config,
    options,
    providers,
    journal,
    metrics,
    logger,
    ringCentralLinkOf: (lineName) => rcLines.find((h) => h.name === lineName)?.link,
    draining: () => draining,
  });
  await startLines({ config, telephony, journal, logger, handlers }, { lines, ringcentral, rcLines });
  const { http, httpUrl } = await startHttpApi({
    config,
    store,
    telephony,
    metrics,
    logger,
    lines,
    rcLines,
    draining: () => draining,
  });
  logger.info("ringagent ready");
  const missingFlags = missingRuntimeFlags();
  if (missingFlags.length > 0) {
    logger.warn(
      { flags: missingFlags },
      "started without the runtime V8 flags: media pacing jitter rises under call load; start through bin/ringagent.js",
    );
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      draining = true;
      const deadline = Date.now() + (options.drainTimeoutMs ?? 10_000);
      while (telephony.manager.activeCalls > 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      try {
        await telephony.close();
        for (const h of rcLines) h.link.close();
        await Promise.allSettled(ringcentral.map((rc) => rc.stop()));
        await journal.flush();
        await http?.close();
        await store.close();
      } catch (error) {
        logger.error({ err: error }, `shutdown: ${describeError(error)}`);
      }
      logger.info("ringagent stopped");
      logger.flush();
    })();
    return stopping;
  };
  return {
    config,
    logger,
    store,
    telephony,
    journal,
    metrics,
    http,
    httpUrl,
    lines,
    ringcentral: rcLines,
    stop,
  };
}

/** `ringagent start`: runs until SIGINT/SIGTERM. */
export async function startService(
  config: RingagentConfig,
  options: { configPath: string | undefined },
): Promise<void> {
  const service = await startRingagent(config, { configPath: options.configPath });
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      service.logger.info({ signal }, "stopping");
      resolve();
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  });
  await service.stop();
}
