/** A listen address as written in config: `udp:127.0.0.1:5060`, `tcp:[::1]:5060`, `tls:0.0.0.0:5061`. */
export interface ListenSpec {
  readonly protocol: "udp" | "tcp" | "tls" | "ws" | "wss";
  readonly host: string;
  readonly port: number;
}

const protocols = new Set(["udp", "tcp", "tls", "ws", "wss"]);

/** Parses a listen spec; returns a problem description (for the config error) instead of throwing. */
export function parseListenSpec(text: string): ListenSpec | { problem: string } {
  const colon = text.indexOf(":");
  if (colon < 0) return { problem: `"${text}" has no protocol; write it as udp:HOST:PORT (or tcp:, tls:)` };
  const protocol = text.slice(0, colon).toLowerCase();
  if (!protocols.has(protocol)) {
    return { problem: `unknown protocol "${protocol}"; use one of udp, tcp, tls, ws, wss` };
  }
  const rest = text.slice(colon + 1);
  let host: string;
  let portText: string;
  if (rest.startsWith("[")) {
    const end = rest.indexOf("]");
    if (end < 0 || rest[end + 1] !== ":") return { problem: `"${text}": write IPv6 hosts as [::1]:PORT` };
    host = rest.slice(1, end);
    portText = rest.slice(end + 2);
  } else {
    const lastColon = rest.lastIndexOf(":");
    if (lastColon < 0) return { problem: `"${text}" has no port; write it as ${protocol}:HOST:PORT` };
    host = rest.slice(0, lastColon);
    portText = rest.slice(lastColon + 1);
  }
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 0 || port > 65535) {
    return { problem: `"${portText}" is not a port number (0-65535)` };
  }
  if (host.length === 0) return { problem: `"${text}" has no host; use 127.0.0.1 for this machine only` };
  return { protocol: protocol as ListenSpec["protocol"], host, port };
}

export function formatListenSpec(spec: ListenSpec): string {
  const host = spec.host.includes(":") ? `[${spec.host}]` : spec.host;
  return `${spec.protocol}:${host}:${spec.port}`;
}
