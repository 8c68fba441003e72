/**
 * The composition root: the only place that wires concrete implementations together.
 * `ringagent` (bin/ringagent.js) calls {@link main}.
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { baseDoctorChecks, runCli } from "./cli/index.js";
import type { RingagentConfig } from "./config/index.js";
import { createHttpServer, createMetrics, type HttpServer, storeReadiness } from "./http/index.js";
import { createLogger, describeError, type Logger } from "./shared/index.js";
import { applyRetention, type CallStore, PostgresCallStore, SqliteCallStore } from "./store/index.js";

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

async function openStore(config: RingagentConfig): Promise<CallStore> {
  return config.store.kind === "sqlite"
    ? SqliteCallStore.open({ path: config.store.path })
    : PostgresCallStore.open({ url: config.store.url });
}

/** Starts every configured line and resolves once the process is asked to stop (SIGINT/SIGTERM). */
export async function startService(
  config: RingagentConfig,
  options: { configPath: string | undefined },
): Promise<void> {
  const logOptions =
    config.log.pretty === undefined
      ? { level: config.log.level }
      : { level: config.log.level, pretty: config.log.pretty };
  const logger: Logger = createLogger(logOptions);
  const instance = config.instance ?? hostname();
  logger.info(
    { config: options.configPath ?? "built-in default", version: packageVersion(), instance },
    "ringagent starting",
  );

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
  let http: HttpServer | undefined;
  if (config.http.enabled) {
    http = createHttpServer({
      listen: config.http.listen,
      token: config.http.token,
      store,
      // Live-call control arrives with the call manager (telephony); until then no call is live.
      calls: {
        hangUp: async () => ({ ok: false, reason: "not_live" }),
        transfer: async () => ({ ok: false, reason: "not_live" }),
      },
      readiness: async () => [await storeReadiness(store)],
      registry: metrics.registry,
      recordingsDir: config.recordings.dir,
      logger,
    });
    const bound = await http.listen();
    logger.info({ url: bound.url, access: http.accessMode }, "http api listening");
  }

  for (const line of config.lines) {
    logger.info({ line: line.name, kind: line.kind, agent: line.agent }, "line configured");
  }
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, "stopping");
    stop.abort();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  logger.info("ringagent ready");
  // Holds the event loop open until asked to stop, even before any line has a socket open.
  const keepAlive = setInterval(() => {}, 60_000);
  await new Promise<void>((resolve) =>
    stop.signal.addEventListener("abort", () => resolve(), { once: true }),
  );
  clearInterval(keepAlive);
  try {
    await http?.close();
    await store.close();
  } catch (error) {
    logger.error({ err: error }, `shutdown: ${describeError(error)}`);
  }
  logger.info("ringagent stopped");
  logger.flush();
}

export async function main(argv: readonly string[]): Promise<number> {
  return runCli(
    argv,
    {
      start: startService,
      openStore,
      doctorChecks: (config) => baseDoctorChecks(config, { openStore }),
    },
    {
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
      env: process.env,
      version: packageVersion(),
    },
  );
}
