// Public surface of the http layer (see ARCHITECTURE.md).
export { createAccessPolicy, isLoopbackHost, publicPaths, tokensEqual } from "./access-policy.js";
export { HttpError, type HttpErrorBody, type HttpErrorResponse, toHttpError } from "./http-error.js";
export {
  createHttpServer,
  defaultHttpPort,
  type HttpServer,
  type HttpServerOptions,
  parseHttpListen,
} from "./http-server.js";
export type {
  LiveCallActionResult,
  LiveCallController,
  ReadinessCheck,
  ReadinessProbe,
} from "./http-types.js";
export {
  createMetrics,
  latencyBucketsMs,
  type Metrics,
  type MetricsOptions,
  type ProviderKind,
  type RingagentMetrics,
  type SipMessageDirection,
  type TurnLatencySample,
} from "./metrics.js";
export { storeReadiness } from "./ops-routes.js";
export { parseRangeHeader, type RangeRequest } from "./range-header.js";
