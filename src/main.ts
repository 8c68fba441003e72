/**
 * The composition root: the only place that wires concrete implementations together.
 * `ringagent` (bin/ringagent.js) calls {@link main}.
 */
import { readFileSync } from "node:fs";
import { runCli } from "./cli/index.js";
import type { RingagentConfig } from "./config/index.js";
import { createLogger, type Logger } from "./shared/index.js";

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
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
  logger.info(
    { config: options.configPath ?? "built-in default", version: packageVersion() },
    "ringagent starting",
  );
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
  logger.info("ringagent stopped");
  logger.flush();
}

export async function main(argv: readonly string[]): Promise<number> {
  return runCli(
    argv,
    { start: startService },
    {
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
      env: process.env,
      version: packageVersion(),
    },
  );
}
