// Public surface of the sip layer (see ARCHITECTURE.md).

// --- SIP core: message model, digest auth, transactions (src/sip/message, auth, transaction) ---
export * from "./auth/index.js";
// --- dialogs, registration, user agent (src/sip/dialog, registration, ua) ---
export * from "./dialog/index.js";
export * from "./message/index.js";
export * from "./registration/index.js";
export * from "./transaction/index.js";
// --- transport (src/sip/transport) ---
export {
  emptyCounters,
  type Flow,
  type FlowCloseReason,
  type FlowRole,
  type TransportCounters,
} from "./transport/flow-types.js";
export { resolveHost } from "./transport/host-resolver.js";
export { LineConnection, type LineConnectionEvents } from "./transport/line-connection.js";
export {
  type BackoffPolicy,
  backoffDelayMs,
  defaultBackoffPolicy,
  NextHopSelector,
  type OutboundProxyPolicy,
} from "./transport/next-hop.js";
export type { TlsClientOptions } from "./transport/stream-connect.js";
export {
  contentLength,
  defaultStreamFramerOptions,
  type FramerEvent,
  type FramingErrorCode,
  StreamFramer,
  type StreamFramerOptions,
} from "./transport/stream-framer.js";
export { WsTestServer } from "./transport/testing/ws-test-server.js";
export { TransportLayer } from "./transport/transport-layer.js";
export type {
  FlowInfo,
  LayerSendOptions,
  LayerSendResult,
  ListenSpec,
  TransportLayerEvents,
  TransportLayerOptions,
} from "./transport/transport-layer-types.js";
export {
  type InboundMessage,
  isReliable,
  type SendOptions,
  type SendResult,
  type SipAddress,
  type TransportProtocol,
} from "./transport/transport-types.js";
export * from "./ua/index.js";
