import type { SipAddress, TransportProtocol } from "./transport-types.js";

/**
 * A flow is one connection (TCP/TLS/WS) or one UDP socket + peer (RFC 5626 3.3: "a transport-layer
 * association between two hosts"). Stream flows own a socket; the transport layer owns the flows.
 */
export type FlowCloseReason =
  | "closed_locally"
  | "closed_by_peer"
  | "idle_timeout"
  | "keepalive_timeout"
  | "framing_error"
  | "socket_error"
  | "connect_failed"
  | "transport_closed";

export type FlowRole = "client" | "server";

export interface Flow {
  readonly id: string;
  readonly protocol: TransportProtocol;
  readonly role: FlowRole;
  readonly local: SipAddress;
  readonly remote: SipAddress;
  readonly isOpen: boolean;
  /** Resolves when the bytes were handed to the socket; rejects with RingagentError `flow_closed`. */
  send(data: Buffer): Promise<void>;
  close(reason?: FlowCloseReason): void;
}

/** Where a flow reports what happens on it (the transport layer implements this). */
export interface FlowSink {
  message(flow: Flow, data: Buffer): void;
  closed(flow: Flow, reason: FlowCloseReason): void;
  /** A malformed stream (counted, then the flow is closed with `framing_error`). */
  framingError(flow: Flow, code: string): void;
  /** A keep-alive was received (ping answered, or pong to our ping). */
  keepAlive(flow: Flow, kind: "ping" | "pong"): void;
}

/** Per-protocol counters (cumulative since the layer was created). */
export interface TransportCounters {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  framingErrors: number;
  /** Inbound data thrown away (malformed datagrams, bytes of a flow closed for a framing error). */
  dropped: number;
  keepAlivesIn: number;
  flowsOpened: number;
  flowsClosed: number;
  connectFailures: number;
}

export function emptyCounters(): TransportCounters {
  return {
    messagesIn: 0,
    messagesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    framingErrors: 0,
    dropped: 0,
    keepAlivesIn: 0,
    flowsOpened: 0,
    flowsClosed: 0,
    connectFailures: 0,
  };
}

/** `host:port`, with IPv6 literals bracketed; used in flow ids and map keys (never parsed back). */
export function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Key of the flow table by remote address: protocol + host + port. */
export function addressKey(address: SipAddress): string {
  return `${address.protocol}:${hostPort(normalizeHost(address.host), address.port)}`;
}

/** Strips the IPv4-mapped IPv6 prefix Node reports on dual-stack sockets (`::ffff:127.0.0.1`). */
export function normalizeHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.startsWith("::ffff:") && lower.includes(".") ? lower.slice(7) : lower;
}
