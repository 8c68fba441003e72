/**
 * The HTTP server (fastify): /healthz, /readyz, /metrics and the JSON API under /api/v1, behind the
 * access policy (access-policy.ts). Fastify's own logger is off: its request logs carry full URLs,
 * and query strings can hold transcript search text (PII). One debug line per request is logged
 * with the route pattern instead.
 *
 *   const server = createHttpServer({ listen: "127.0.0.1:8080", token, store, calls, readiness, registry });
 *   await server.listen(); ... await server.close();
 */
import Fastify, { type FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import { describeError, type Logger, RingagentError, silentLogger } from "../shared/index.js";
import type { CallStore } from "../store/index.js";
import { createAccessPolicy } from "./access-policy.js";
import { registerCallRoutes } from "./call-routes.js";
import { HttpError, toHttpError } from "./http-error.js";
import type { LiveCallController, ReadinessProbe } from "./http-types.js";
import { defaultReadinessTimeoutMs, registerOpsRoutes } from "./ops-routes.js";

export interface HttpServerOptions {
  /** `HOST:PORT` or `HOST` (port 8080); IPv6 as `[addr]:port`; port 0 picks a free port. */
  listen: string;
  /** Bearer token for everything but /healthz and /readyz; see access-policy.ts when absent. */
  token: string | undefined;
  store: CallStore;
  calls: LiveCallController;
  readiness: ReadinessProbe;
  /** The registry from `createMetrics()`. */
  registry: Registry;
  /** Recordings are served only from inside this folder (config `recordings.dir`). */
  recordingsDir?: string;
  logger?: Logger;
  readinessTimeoutMs?: number;
  /** Largest accepted request body (default 64 KiB). */
  bodyLimitBytes?: number;
  /** Paths served without the bearer token: webhooks that check their own credentials. */
  webhookPaths?: readonly string[];
}

export interface HttpServer {
  readonly app: FastifyInstance;
  readonly host: string;
  /** "token" or "loopback-open" (no token, loopback only). */
  readonly accessMode: "token" | "loopback-open";
  /** Starts listening; resolves with the bound address (`url` like http://127.0.0.1:8080). */
  listen(): Promise<{ host: string; port: number; url: string }>;
  /** Stops accepting, waits for in-flight requests, closes idle keep-alive connections. */
  close(): Promise<void>;
}

export const defaultHttpPort = 8080;

/** Splits `HOST[:PORT]` (IPv6 in brackets). Throws `http_listen_invalid`. */
export function parseHttpListen(listen: string): { host: string; port: number } {
  let url: URL;
  try {
    url = new URL(`http://${listen}`);
  } catch {
    throw new RingagentError("http_listen_invalid", "http.listen must be HOST or HOST:PORT");
  }
  if (url.pathname !== "/" || url.username !== "" || url.search !== "") {
    throw new RingagentError("http_listen_invalid", "http.listen must be HOST or HOST:PORT");
  }
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  // URL drops an explicit default port (80); take it from the text then.
  const explicitPort = listen.endsWith(":80") ? 80 : undefined;
  const port =
    url.port === "" ? (explicitPort ?? (listen.endsWith(":0") ? 0 : defaultHttpPort)) : Number(url.port);
  return { host, port };
}

export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { host, port } = parseHttpListen(options.listen);
  const access = createAccessPolicy(options.token, host, options.webhookPaths);
  const logger = options.logger ?? silentLogger();
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimitBytes ?? 65_536,
    forceCloseConnections: "idle",
    return503OnClosing: true,
  });

  app.addHook("onRequest", async (request) => {
    const path = request.url.split("?", 1)[0] ?? "";
    access.check(path, {
      ...(request.headers.authorization === undefined
        ? {}
        : { authorization: request.headers.authorization }),
      ...(request.headers.host === undefined ? {} : { host: request.headers.host }),
      ...(request.headers.origin === undefined ? {} : { origin: request.headers.origin }),
    });
  });
  app.addHook("onResponse", async (request, reply) => {
    logger.debug(
      {
        method: request.method,
        route: request.routeOptions.url ?? "unmatched",
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      "http request",
    );
  });
  app.setErrorHandler(async (error, _request, reply) => {
    const httpError = toHttpError(error);
    if (httpError.status >= 500) logger.error({ error: describeError(error) }, "http handler failed");
    const response = httpError.toResponse();
    return reply.code(response.status).headers(response.headers).send(response.body);
  });
  app.setNotFoundHandler(async () => {
    throw HttpError.notFound("no such route");
  });

  registerOpsRoutes(app, {
    readiness: options.readiness,
    registry: options.registry,
    readinessTimeoutMs: options.readinessTimeoutMs ?? defaultReadinessTimeoutMs,
  });
  registerCallRoutes(app, {
    store: options.store,
    calls: options.calls,
    recordingsDir: options.recordingsDir,
    logger,
  });
  if (access.mode === "loopback-open") {
    logger.warn({ host }, "HTTP API has no token: open to local programs on loopback only");
  }

  let closing: Promise<void> | undefined;
  return {
    app,
    host,
    accessMode: access.mode,
    async listen() {
      await app.listen({ host, port });
      const address = app.server.address();
      const boundPort = typeof address === "object" && address !== null ? address.port : port;
      const urlHost = host.includes(":") ? `[${host}]` : host;
      logger.info({ host, port: boundPort, access: access.mode }, "HTTP API listening");
      return { host, port: boundPort, url: `http://${urlHost}:${boundPort}` };
    },
    close() {
      closing ??= app.close();
      return closing;
    },
  };
}
