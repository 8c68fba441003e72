import { randomToken } from "../../shared/index.js";
import type { NameAddr } from "../message/name-addr.js";
import type { Uri } from "../message/sip-uri.js";
import { sipUri, uriParam } from "../message/sip-uri.js";
import type { Via } from "../message/via-header.js";
import { makeBranch } from "../message/via-header.js";
import type { SipAddress, TransportProtocol } from "../transport/transport-types.js";
import { isReliable } from "../transport/transport-types.js";

/** Where a request goes: an address, and the flow to reuse when it is still open. */
export interface RequestTarget {
  readonly destination: SipAddress;
  readonly flowId?: string | undefined;
}

const transports = new Set<string>(["udp", "tcp", "tls", "ws", "wss"]);

/**
 * RFC 3263 without DNS SRV/NAPTR (numeric hosts and plain names only): the transport parameter, else
 * TLS for sips, else UDP; the port, else 5061 for TLS and 5060 otherwise.
 */
export function uriToAddress(uri: Uri): SipAddress | undefined {
  if (uri.kind !== "sip") return undefined;
  const param = uriParam(uri, "transport")?.toLowerCase();
  const protocol: TransportProtocol =
    param !== undefined && transports.has(param)
      ? (param as TransportProtocol)
      : uri.scheme === "sips"
        ? "tls"
        : "udp";
  const port = uri.port ?? (protocol === "tls" || protocol === "wss" ? 5061 : 5060);
  return { protocol, host: uri.host, port };
}

/**
 * Our Via for a request sent from `local` (RFC 3261 8.1.1.7) with a fresh branch, `rport` (RFC 3581)
 * and, on connection-oriented transports, `alias` (RFC 5923) so the proxy reuses our connection.
 */
export function buildVia(protocol: TransportProtocol, local: { host: string; port: number }): Via {
  const params: { name: string; value?: string }[] = [{ name: "branch", value: makeBranch(randomToken(8)) }];
  params.push({ name: "rport" });
  if (isReliable(protocol)) params.push({ name: "alias" });
  return {
    protocolName: "SIP",
    protocolVersion: "2.0",
    transport: protocol.toUpperCase(),
    host: local.host,
    port: local.port,
    params,
  };
}

/**
 * Our Contact: the flow's local address (so the proxy can reach us back over it), `transport` for
 * anything but UDP, and `ob` (RFC 5626 4.3) when we keep an outbound flow to the proxy.
 */
export function buildContact(
  user: string | undefined,
  protocol: TransportProtocol,
  local: { host: string; port: number },
  outboundFlow: boolean,
): NameAddr {
  const params: { name: string; value?: string }[] = [];
  if (protocol !== "udp") params.push({ name: "transport", value: protocol });
  if (outboundFlow) params.push({ name: "ob" });
  return { uri: sipUri({ host: local.host, port: local.port, user, params }), params: [] };
}

/** Send options for a target (the flow to reuse, if any). */
export function sendOptions(target: RequestTarget): { flowId: string } | undefined {
  return target.flowId === undefined ? undefined : { flowId: target.flowId };
}
