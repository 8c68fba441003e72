import { isIP, connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { type Clock, RingagentError } from "../../shared/index.js";
import { hostPort } from "./flow-types.js";
import type { SipAddress } from "./transport-types.js";
import { buildUpgradeRequest, checkUpgradeResponse, newWsKey, takeHttpHead } from "./ws-handshake.js";

/** TLS client settings. Certificate checking is ON unless `rejectUnauthorized: false` is given. */
export interface TlsClientOptions {
  /** Trusted CA certificates (PEM); the system store when omitted. */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** SNI and the name checked against the certificate; defaults to the destination host name. */
  readonly servername?: string;
  /** Opt-out of certificate checking (test beds with self-signed certificates). Default true. */
  readonly rejectUnauthorized?: boolean;
  /** Client certificate and key (PEM) for mutual TLS. */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
}

export interface ConnectOptions {
  readonly clock: Clock;
  readonly tls: TlsClientOptions;
  readonly connectTimeoutMs: number;
  /** WebSocket request path (RFC 7118 URIs like wss://host/ws). */
  readonly wsPath: string;
  readonly signal?: AbortSignal;
}

/** An open socket (TLS established, WebSocket upgraded) plus bytes that arrived after the handshake. */
export interface OpenedSocket {
  readonly socket: Socket;
  readonly leftover: Buffer;
}

function connectError(destination: SipAddress, cause: unknown, code = "connect_failed"): RingagentError {
  return new RingagentError(code, `cannot connect ${destination.protocol} flow`, { retryable: true, cause });
}

/** Opens a TCP/TLS/WS/WSS connection to an IP literal address (resolve host names first). */
export function openStreamSocket(destination: SipAddress, options: ConnectOptions): Promise<OpenedSocket> {
  return new Promise<OpenedSocket>((resolve, reject) => {
    const secure = destination.protocol === "tls" || destination.protocol === "wss";
    let socket: Socket;
    let settled = false;
    const fail = (error: RingagentError): void => {
      if (settled) return;
      settled = true;
      cleanup();
      socket.destroy();
      reject(error);
    };
    const timer = options.clock.setTimer(options.connectTimeoutMs, () =>
      fail(connectError(destination, undefined, "connect_timeout")),
    );
    const onAbort = (): void => fail(connectError(destination, options.signal?.reason, "connect_aborted"));
    const cleanup = (): void => {
      timer.cancel();
      options.signal?.removeEventListener("abort", onAbort);
    };
    if (secure) {
      const tls = options.tls;
      const servername = tls.servername ?? (isIP(destination.host) === 0 ? destination.host : undefined);
      socket = tlsConnect({
        host: destination.host,
        port: destination.port,
        rejectUnauthorized: tls.rejectUnauthorized ?? true,
        ...(servername === undefined ? {} : { servername }),
        ...(tls.ca === undefined
          ? {}
          : { ca: typeof tls.ca === "string" || Buffer.isBuffer(tls.ca) ? tls.ca : [...tls.ca] }),
        ...(tls.cert === undefined ? {} : { cert: tls.cert }),
        ...(tls.key === undefined ? {} : { key: tls.key }),
      });
    } else {
      socket = netConnect({ host: destination.host, port: destination.port });
    }
    let tcpConnected = false;
    // A failed TLS handshake (certificate not trusted, name mismatch) is a configuration problem, not a
    // network one: reported as tls_handshake_failed, not retryable, so callers do not hammer the peer.
    const onError = (error: Error): void => {
      if (secure && tcpConnected) {
        fail(
          new RingagentError("tls_handshake_failed", "tls handshake failed", {
            retryable: false,
            cause: error,
          }),
        );
      } else {
        fail(connectError(destination, error));
      }
    };
    socket.once("connect", () => {
      tcpConnected = true;
    });
    socket.once("error", onError);
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const established = (): void => {
      if (destination.protocol !== "ws" && destination.protocol !== "wss") {
        settled = true;
        cleanup();
        socket.off("error", onError);
        resolve({ socket, leftover: Buffer.alloc(0) });
        return;
      }
      const key = newWsKey();
      let received = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        received = Buffer.concat([received, chunk]);
        const taken = takeHttpHead(received);
        if (taken === "incomplete") return;
        socket.off("data", onData);
        if (taken === "too_large") {
          fail(connectError(destination, undefined, "ws_handshake_failed"));
          return;
        }
        const problem = checkUpgradeResponse(taken.head, key);
        if (problem !== undefined) {
          fail(
            connectError(destination, new Error(`handshake check failed: ${problem}`), "ws_handshake_failed"),
          );
          return;
        }
        settled = true;
        cleanup();
        socket.off("error", onError);
        socket.pause();
        resolve({ socket, leftover: Buffer.from(taken.rest) });
      };
      socket.on("data", onData);
      socket.write(
        buildUpgradeRequest({
          host: hostPort(destination.host, destination.port),
          path: options.wsPath,
          key,
        }),
      );
    };
    socket.once(secure ? "secureConnect" : "connect", established);
  });
}
