/**
 * The seam between the SIP transports (bytes over UDP/TCP/TLS/WS) and the SIP core (parsing,
 * transactions). Transports deliver whole messages as bytes with where they came from; they never
 * parse headers beyond the Content-Length framing that streams need.
 */
export type TransportProtocol = "udp" | "tcp" | "tls" | "ws" | "wss";

export interface SipAddress {
  readonly protocol: TransportProtocol;
  /** IP address (v4 or v6, without brackets) or host name. */
  readonly host: string;
  readonly port: number;
}

/** One complete SIP message as received (a UDP datagram, or one framed message from a stream). */
export interface InboundMessage {
  readonly data: Buffer;
  /** The peer's address as seen on the socket (used for Via received/rport, RFC 3581). */
  readonly source: SipAddress;
  /** Our address on which it arrived. */
  readonly local: SipAddress;
  /** Identifies the connection (stream transports) so responses and in-dialog requests reuse it. */
  readonly flowId: string;
}

export interface SendOptions {
  /** Send on this existing flow (connection) when it is still open. */
  readonly flowId?: string;
}

export interface SendResult {
  readonly flowId: string;
  readonly local: SipAddress;
}

/** Whether the transport retransmits for us (RFC 3261 17.1.1.2: timers differ on reliable transports). */
export function isReliable(protocol: TransportProtocol): boolean {
  return protocol !== "udp";
}
