/**
 * Free port allocation on 127.0.0.1 for real-peer tests: bind port 0, read the port, release it.
 * Peers that need several ports (SIP UDP+TCP on one port, TLS on the next) get every
 * (port, protocol) pair verified free before it is handed out; collisions are retried.
 */
import { createSocket } from "node:dgram";
import { connect, createServer } from "node:net";

export type PortProtocol = "tcp" | "udp";

export const BED_HOST = "127.0.0.1";

/** Resolves true when `port` can be bound on 127.0.0.1 with `protocol` (the socket is closed again). */
export function isPortFree(port: number, protocol: PortProtocol): Promise<boolean> {
  return new Promise((resolve) => {
    if (protocol === "tcp") {
      const server = createServer();
      server.once("error", () => resolve(false));
      server.listen({ port, host: BED_HOST, exclusive: true }, () => server.close(() => resolve(true)));
      return;
    }
    const socket = createSocket("udp4");
    socket.once("error", () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ port, address: BED_HOST, exclusive: true }, () => socket.close(() => resolve(true)));
  });
}

/** Asks the kernel for a free port for `protocol` (bind port 0) and releases it. */
export function ephemeralPort(protocol: PortProtocol = "tcp"): Promise<number> {
  return new Promise((resolve, reject) => {
    if (protocol === "tcp") {
      const server = createServer();
      server.once("error", reject);
      server.listen({ port: 0, host: BED_HOST }, () => {
        const address = server.address();
        const port = typeof address === "object" && address !== null ? address.port : 0;
        server.close(() => resolve(port));
      });
      return;
    }
    const socket = createSocket("udp4");
    socket.once("error", reject);
    socket.bind({ port: 0, address: BED_HOST }, () => {
      const port = socket.address().port;
      socket.close(() => resolve(port));
    });
  });
}

/** Ports handed out by this process, so two allocations in one run never return the same port. */
const handedOut = new Set<number>();

export interface PortBlockOptions {
  /** How many consecutive ports (default 1). */
  count?: number;
  /** Protocols that must be free on every port of the block (default tcp and udp). */
  protocols?: readonly PortProtocol[];
  /** Attempts before giving up (default 50). */
  attempts?: number;
}

/**
 * Allocates `count` consecutive ports starting at the returned port, each free for every protocol
 * in `protocols`. Example: baresip needs SIP UDP+TCP on p and TLS on p+1 → `allocPorts({ count: 2 })`.
 */
export async function allocPorts(options: PortBlockOptions = {}): Promise<number> {
  const count = options.count ?? 1;
  const protocols = options.protocols ?? ["tcp", "udp"];
  const attempts = options.attempts ?? 50;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const base = await ephemeralPort(protocols[0] ?? "tcp");
    if (base + count - 1 > 65535) continue;
    let ok = true;
    for (let offset = 0; offset < count && ok; offset++) {
      const port = base + offset;
      if (handedOut.has(port)) ok = false;
      for (const protocol of protocols) {
        if (!ok) break;
        ok = await isPortFree(port, protocol);
      }
    }
    if (!ok) continue;
    for (let offset = 0; offset < count; offset++) handedOut.add(base + offset);
    return base;
  }
  throw new Error(`no block of ${count} free port(s) for ${protocols.join("+")} after ${attempts} attempts`);
}

/** One free port for both TCP and UDP. */
export function allocPort(protocols: readonly PortProtocol[] = ["tcp", "udp"]): Promise<number> {
  return allocPorts({ count: 1, protocols });
}

/** Resolves once something accepts TCP connections on 127.0.0.1:`port`, or rejects at the deadline. */
export async function waitForTcpPort(port: number, timeoutMs: number, host = BED_HOST): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect({ port, host });
      const done = (result: boolean): void => {
        socket.destroy();
        resolve(result);
      };
      socket.once("connect", () => done(true));
      socket.once("error", () => done(false));
      socket.setTimeout(500, () => done(false));
    });
    if (accepted) return;
    if (Date.now() >= deadline) throw new Error(`port ${host}:${port} did not accept within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves once nothing can bind UDP `port` any more (someone else listens), or rejects at the deadline. */
export async function waitForUdpBound(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!(await isPortFree(port, "udp"))) return;
    if (Date.now() >= deadline)
      throw new Error(`nothing bound udp ${BED_HOST}:${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
