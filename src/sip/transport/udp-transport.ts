import { createSocket, type Socket } from "node:dgram";
import { isIP } from "node:net";
import { RingagentError } from "../../shared/index.js";
import { hostPort, normalizeHost, type TransportCounters } from "./flow-types.js";
import type { InboundMessage, SipAddress } from "./transport-types.js";

/** Smallest datagram that can hold a SIP start line; shorter ones are dropped and counted. */
const minMessageBytes = 12;

/** Flow id of a UDP "flow" (RFC 5626 3.3: for UDP the flow is the local/remote address pair). */
export function udpFlowId(local: SipAddress, remoteHost: string, remotePort: number): string {
  return `udp:${hostPort(local.host, local.port)}>${hostPort(normalizeHost(remoteHost), remotePort)}`;
}

function isKeepAlive(data: Buffer): boolean {
  for (const byte of data) if (byte !== 0x0d && byte !== 0x0a) return false;
  return true;
}

/** One bound UDP socket: each datagram is one message (RFC 3261 18.3 framing does not apply). */
export class UdpTransport {
  readonly local: SipAddress;
  readonly #socket: Socket;
  readonly #counters: TransportCounters;
  #closed = false;

  private constructor(socket: Socket, local: SipAddress, counters: TransportCounters) {
    this.#socket = socket;
    this.local = local;
    this.#counters = counters;
  }

  /** Binds `host:port` (port 0 picks a free one; `local.port` tells which). */
  static bind(
    host: string,
    port: number,
    counters: TransportCounters,
    onMessage: (message: InboundMessage) => void,
  ): Promise<UdpTransport> {
    const socket = createSocket({
      type: isIP(host) === 6 ? "udp6" : "udp4",
      ...(isIP(host) === 6 ? { ipv6Only: true } : {}),
    });
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => {
        socket.close();
        reject(new RingagentError("bind_failed", "cannot bind udp socket", { cause: error }));
      };
      socket.once("error", onError);
      socket.bind({ address: host, port, exclusive: true }, () => {
        socket.off("error", onError);
        const bound = socket.address();
        const local: SipAddress = { protocol: "udp", host: bound.address, port: bound.port };
        const transport = new UdpTransport(socket, local, counters);
        // Errors on a bound UDP socket (ICMP unreachable echoes, etc.) are not fatal for the listener.
        socket.on("error", () => {
          counters.dropped++;
        });
        socket.on("message", (data, rinfo) => {
          counters.bytesIn += data.length;
          if (isKeepAlive(data)) {
            counters.keepAlivesIn++;
            return;
          }
          if (data.length < minMessageBytes) {
            counters.dropped++;
            return;
          }
          counters.messagesIn++;
          onMessage({
            data,
            source: { protocol: "udp", host: normalizeHost(rinfo.address), port: rinfo.port },
            local,
            flowId: udpFlowId(local, rinfo.address, rinfo.port),
          });
        });
        resolve(transport);
      });
    });
  }

  get family(): 4 | 6 {
    return isIP(this.local.host) === 6 ? 6 : 4;
  }

  send(data: Buffer, host: string, port: number): Promise<void> {
    if (this.#closed) return Promise.reject(new RingagentError("transport_closed", "udp socket closed"));
    return new Promise((resolve, reject) => {
      this.#socket.send(data, port, host, (error) => {
        if (error) {
          reject(new RingagentError("udp_send_failed", "udp send failed", { retryable: true, cause: error }));
          return;
        }
        this.#counters.messagesOut++;
        this.#counters.bytesOut += data.length;
        resolve();
      });
    });
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }
}
