/**
 * RTP ports from a configured range. RFC 3550 11: "For UDP and similar protocols, RTP SHOULD use an
 * even destination port number and the corresponding RTCP stream SHOULD use the next higher (odd)
 * destination port number". The allocator hands out even ports round-robin, so a released port is
 * reused only after the rest of the range (late packets of an old call do not reach a new one).
 * Binding is separate (`bindRtpSockets`): a port the OS refuses is skipped and the next one tried.
 */
import { createSocket, type Socket, type SocketOptions } from "node:dgram";
import { lookup } from "node:dns";
import { isIP } from "node:net";
import { RingagentError } from "../../shared/index.js";

type SocketLookup = NonNullable<SocketOptions["lookup"]>;

/**
 * dgram resolves the destination of every send() through `lookup`; the default (dns.lookup) answers
 * even an IP literal on the next tick, allocating a request, a closure and a tick callback per
 * packet (two per call every 20 ms). Media targets are IP literals (SDP c= or a latched source), so
 * they are answered at once; a host name still goes through dns.lookup.
 */
export const literalFirstLookup: SocketLookup = (hostname, options, callback) => {
  const family = isIP(hostname);
  // dgram passes the socket's family as a bare number (4 or 6) although the type says options.
  const wanted: unknown = typeof options === "object" ? options.family : options;
  if (family !== 0 && (wanted === undefined || wanted === family || wanted === `IPv${family}`)) {
    callback(null, hostname, family);
    return;
  }
  lookup(hostname, options, callback);
};

export interface RtpPortRange {
  /** First port (rounded up to even). */
  readonly minPort: number;
  /** Last port usable for RTP (its RTCP port is +1). */
  readonly maxPort: number;
}

export class RtpPortAllocator {
  readonly minPort: number;
  readonly maxPort: number;
  readonly #inUse = new Set<number>();
  #cursor: number;

  constructor(range: RtpPortRange) {
    const min = range.minPort + (range.minPort % 2);
    const max = range.maxPort - (range.maxPort % 2);
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1024 || max > 65534 || min > max) {
      throw new RingagentError(
        "media_port_range",
        `RTP port range ${range.minPort}-${range.maxPort} must hold an even port within 1024-65534`,
      );
    }
    this.minPort = min;
    this.maxPort = max;
    this.#cursor = min;
  }

  /** Even ports in the range. */
  get capacity(): number {
    return (this.maxPort - this.minPort) / 2 + 1;
  }

  get inUse(): number {
    return this.#inUse.size;
  }

  /** The next free even port, or undefined when every port is taken. */
  acquire(): number | undefined {
    for (let i = 0; i < this.capacity; i++) {
      const port = this.#cursor;
      this.#cursor = port + 2 > this.maxPort ? this.minPort : port + 2;
      if (!this.#inUse.has(port)) {
        this.#inUse.add(port);
        return port;
      }
    }
    return undefined;
  }

  release(port: number): void {
    this.#inUse.delete(port);
  }
}

/** The RTP socket on an even port and the RTCP socket on the next port (always both: rtcp-mux is decided later). */
export interface RtpSockets {
  readonly rtp: Socket;
  readonly rtcp: Socket;
  readonly address: string;
  readonly rtpPort: number;
  readonly rtcpPort: number;
  /** Closes both sockets and returns the port to the allocator (idempotent). */
  close(): void;
}

export interface BindRtpSocketsOptions {
  readonly allocator: RtpPortAllocator;
  /** Local address to bind ("127.0.0.1", "0.0.0.0", "::"...). */
  readonly address: string;
  /** Ports tried before giving up (default 20). */
  readonly attempts?: number;
}

function bindOne(socket: Socket, port: number, address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const onError = (): void => resolve(false);
    socket.once("error", onError);
    socket.bind({ port, address, exclusive: true }, () => {
      socket.off("error", onError);
      resolve(true);
    });
  });
}

function closeQuietly(socket: Socket): void {
  try {
    socket.close();
  } catch {
    // Already closed (a failed bind closes nothing, but close() after an error may throw ERR_SOCKET_DGRAM_NOT_RUNNING).
  }
}

/** Binds RTP on an even port of the range and RTCP on port + 1; a port in use by another process is skipped. */
export async function bindRtpSockets(options: BindRtpSocketsOptions): Promise<RtpSockets> {
  const type = options.address.includes(":") ? "udp6" : "udp4";
  const attempts = options.attempts ?? 20;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = options.allocator.acquire();
    if (port === undefined) break;
    const rtp = createSocket({ type, reuseAddr: false, lookup: literalFirstLookup });
    const rtcp = createSocket({ type, reuseAddr: false, lookup: literalFirstLookup });
    const rtpBound = await bindOne(rtp, port, options.address);
    const rtcpBound = rtpBound && (await bindOne(rtcp, port + 1, options.address));
    if (rtpBound && rtcpBound) {
      let closed = false;
      return {
        rtp,
        rtcp,
        address: options.address,
        rtpPort: port,
        rtcpPort: port + 1,
        close: () => {
          if (closed) return;
          closed = true;
          closeQuietly(rtp);
          closeQuietly(rtcp);
          options.allocator.release(port);
        },
      };
    }
    closeQuietly(rtp);
    closeQuietly(rtcp);
    options.allocator.release(port);
  }
  throw new RingagentError("media_no_port", "no free RTP port in the configured range", { retryable: true });
}
