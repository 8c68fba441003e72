import type { Clock, Logger, RingagentError } from "../../shared/index.js";
import type { FlowCloseReason, FlowRole } from "./flow-types.js";
import type { BackoffPolicy } from "./next-hop.js";
import type { TlsClientOptions } from "./stream-connect.js";
import type {
  InboundMessage,
  SendOptions,
  SendResult,
  SipAddress,
  TransportProtocol,
} from "./transport-types.js";

export interface TransportLayerOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** TLS/WSS client settings (certificate checking ON unless `rejectUnauthorized: false`). */
  readonly tls?: TlsClientOptions;
  readonly idleTimeoutMs?: number;
  /** CRLF (TCP/TLS) or WebSocket ping interval on client flows; 0 turns keep-alives off. */
  readonly keepAliveIntervalMs?: number;
  readonly pongTimeoutMs?: number;
  readonly maxMessageBytes?: number;
  /** Stream message without Content-Length: "error" closes the flow (default), "zero" = empty body. */
  readonly missingContentLength?: "error" | "zero";
  /** RFC 3261 18.1.1: requests larger than this (bytes) go over TCP instead of UDP. */
  readonly udpMaxRequestBytes?: number;
  readonly connectTimeoutMs?: number;
  /** Request path of WebSocket connections. */
  readonly wsPath?: string;
  /** Reconnect backoff of line connections. */
  readonly backoff?: BackoffPolicy;
}

export interface ListenSpec {
  readonly protocol: "udp" | "tcp" | "tls";
  readonly host: string;
  /** 0 picks a free port; the returned address carries the actual one. */
  readonly port: number;
  /** Required for "tls": the server's key and certificate chain (PEM). */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
}

export interface LayerSendOptions extends SendOptions {
  /** The data is a request (RFC 3261 18.1.1 size rule applies to requests only). */
  readonly isRequest?: boolean;
  /** Set false to keep a large request on UDP (e.g. retrying after the TCP attempt failed). */
  readonly allowUdpToTcpSwitch?: boolean;
  readonly signal?: AbortSignal;
}

export interface LayerSendResult extends SendResult {
  /** Where it went (protocol may be "tcp" when the UDP->TCP size switch applied). */
  readonly remote: SipAddress;
}

export interface FlowInfo {
  readonly flowId: string;
  readonly protocol: TransportProtocol;
  readonly role: FlowRole;
  readonly local: SipAddress;
  readonly remote: SipAddress;
}

export interface TransportLayerEvents {
  message: [InboundMessage];
  flowOpened: [FlowInfo];
  flowClosed: [flowId: string, reason: FlowCloseReason];
  error: [RingagentError];
}
