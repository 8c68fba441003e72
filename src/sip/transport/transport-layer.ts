import { EventEmitter } from "node:events";
import { createServer as createNetServer, isIP, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import {
  type Clock,
  type Logger,
  RingagentError,
  randomToken,
  silentLogger,
  systemClock,
} from "../../shared/index.js";
import {
  addressKey,
  emptyCounters,
  type Flow,
  type FlowCloseReason,
  type FlowRole,
  type FlowSink,
  hostPort,
  normalizeHost,
  type TransportCounters,
} from "./flow-types.js";
import { resolveHost } from "./host-resolver.js";
import { type BackoffPolicy, defaultBackoffPolicy } from "./next-hop.js";
import { openStreamSocket } from "./stream-connect.js";
import { defaultStreamFlowTimings, StreamFlow, type StreamFlowOptions } from "./stream-flow.js";
import { defaultStreamFramerOptions } from "./stream-framer.js";
import type {
  FlowInfo,
  LayerSendOptions,
  LayerSendResult,
  ListenSpec,
  TransportLayerEvents,
  TransportLayerOptions,
} from "./transport-layer-types.js";
import type { SipAddress, TransportProtocol } from "./transport-types.js";
import { UdpTransport, udpFlowId } from "./udp-transport.js";
import { WsFlow } from "./ws-flow.js";

const protocols: readonly TransportProtocol[] = ["udp", "tcp", "tls", "ws", "wss"];

function info(flow: Flow): FlowInfo {
  return {
    flowId: flow.id,
    protocol: flow.protocol,
    role: flow.role,
    local: flow.local,
    remote: flow.remote,
  };
}

/**
 * Owns every SIP socket of the process: UDP sockets, TCP/TLS listeners and all stream flows (server
 * and client). Picks or opens the flow for each outbound message (RFC 3261 18.1/18.2.2 reuse) and
 * reports inbound messages. Never parses SIP beyond stream framing.
 */
export class TransportLayer extends EventEmitter<TransportLayerEvents> {
  readonly clock: Clock;
  readonly backoff: BackoffPolicy;
  readonly #log: Logger;
  readonly #options: TransportLayerOptions;
  readonly #flowOptions: StreamFlowOptions;
  readonly #udpMaxRequestBytes: number;
  readonly #counters = new Map<TransportProtocol, TransportCounters>(
    protocols.map((p) => [p, emptyCounters()]),
  );
  readonly #udp: UdpTransport[] = [];
  readonly #servers: Server[] = [];
  readonly #listening: SipAddress[] = [];
  readonly #flows = new Map<string, Flow>();
  readonly #flowsByAddress = new Map<string, Flow>();
  readonly #connecting = new Map<string, Promise<Flow>>();
  readonly #sink: FlowSink;
  #closed = false;

  constructor(options: TransportLayerOptions = {}) {
    super();
    this.clock = options.clock ?? systemClock;
    this.backoff = options.backoff ?? defaultBackoffPolicy;
    this.#log = options.logger ?? silentLogger();
    this.#options = options;
    this.#udpMaxRequestBytes = options.udpMaxRequestBytes ?? 1300;
    this.#flowOptions = {
      clock: this.clock,
      idleTimeoutMs: options.idleTimeoutMs ?? defaultStreamFlowTimings.idleTimeoutMs,
      keepAliveIntervalMs: options.keepAliveIntervalMs ?? defaultStreamFlowTimings.keepAliveIntervalMs,
      pongTimeoutMs: options.pongTimeoutMs ?? defaultStreamFlowTimings.pongTimeoutMs,
      maxMessageBytes: options.maxMessageBytes ?? defaultStreamFramerOptions.maxMessageBytes,
      missingContentLength: options.missingContentLength ?? defaultStreamFramerOptions.missingContentLength,
    };
    this.#sink = {
      message: (flow, data) => {
        const c = this.counters(flow.protocol);
        c.messagesIn++;
        this.emit("message", { data, source: flow.remote, local: flow.local, flowId: flow.id });
      },
      closed: (flow, reason) => this.#forget(flow, reason),
      framingError: (flow, code) => {
        this.counters(flow.protocol).framingErrors++;
        this.#log.warn({ flowId: flow.id, code }, "sip stream framing error; closing flow");
      },
      keepAlive: (flow) => {
        this.counters(flow.protocol).keepAlivesIn++;
      },
    };
  }

  /** Live counters of one protocol (the object keeps counting). */
  counters(protocol: TransportProtocol): TransportCounters {
    let c = this.#counters.get(protocol);
    if (c === undefined) {
      c = emptyCounters();
      this.#counters.set(protocol, c);
    }
    return c;
  }

  /** A snapshot of every protocol's counters. */
  countersSnapshot(): Record<TransportProtocol, TransportCounters> {
    const out = {} as Record<TransportProtocol, TransportCounters>;
    for (const p of protocols) out[p] = { ...this.counters(p) };
    return out;
  }

  /** Open flows (stream connections). */
  flows(): FlowInfo[] {
    return [...this.#flows.values()].map(info);
  }

  flow(flowId: string): FlowInfo | undefined {
    const flow = this.#flows.get(flowId);
    return flow === undefined ? undefined : info(flow);
  }

  closeFlow(flowId: string, reason: FlowCloseReason = "closed_locally"): void {
    this.#flows.get(flowId)?.close(reason);
  }

  /** Sends a CRLF (or WebSocket) ping on a flow now; a missing pong closes it with keepalive_timeout. */
  pingFlow(flowId: string): boolean {
    const flow = this.#flows.get(flowId);
    if (!(flow instanceof StreamFlow || flow instanceof WsFlow)) return false;
    flow.ping();
    return true;
  }

  async listen(spec: ListenSpec): Promise<SipAddress> {
    this.#assertOpen();
    if (spec.protocol === "udp") {
      const udp = await UdpTransport.bind(spec.host, spec.port, this.counters("udp"), (m) =>
        this.emit("message", m),
      );
      this.#udp.push(udp);
      return udp.local;
    }
    const protocol = spec.protocol;
    let server: Server;
    if (protocol === "tls") {
      if (spec.tls === undefined)
        throw new RingagentError("config_invalid", "tls listener needs key and cert");
      const tlsServer = createTlsServer({ key: spec.tls.key, cert: spec.tls.cert });
      tlsServer.on("secureConnection", (socket) => this.#accept(socket, protocol));
      tlsServer.on("tlsClientError", () => {
        this.counters(protocol).connectFailures++;
      });
      server = tlsServer;
    } else {
      server = createNetServer((socket) => this.#accept(socket, protocol));
    }
    await new Promise<void>((resolve, reject) => {
      server.once("error", (error) =>
        reject(new RingagentError("bind_failed", `cannot listen on ${protocol}`, { cause: error })),
      );
      server.listen({ host: spec.host, port: spec.port, exclusive: true }, () => resolve());
    });
    server.on("error", (error) =>
      this.emit("error", new RingagentError("listener_error", "listener failed", { cause: error })),
    );
    this.#servers.push(server);
    const bound = server.address();
    if (bound === null || typeof bound === "string")
      throw new RingagentError("bind_failed", "no bound address");
    const local: SipAddress = { protocol, host: bound.address, port: bound.port };
    this.#listening.push(local);
    return local;
  }

  /** The local addresses of all listeners (for Contact/Via when no flow is known). */
  listenAddresses(): SipAddress[] {
    return [...this.#udp.map((u) => u.local), ...this.#listening];
  }

  /**
   * The protocol a message to `destination` will use: RFC 3261 18.1.1 "If a request is within 200
   * bytes of the path MTU, or if it is larger than 1300 bytes and the path MTU is unknown, the request
   * MUST be sent using an RFC 2914 congestion controlled transport protocol, such as TCP". Call this
   * before building the Via so its transport matches.
   */
  selectProtocol(
    destination: SipAddress,
    sizeBytes: number,
    options: LayerSendOptions = {},
  ): TransportProtocol {
    if (
      destination.protocol === "udp" &&
      options.isRequest === true &&
      options.allowUdpToTcpSwitch !== false &&
      sizeBytes > this.#udpMaxRequestBytes
    ) {
      return "tcp";
    }
    return destination.protocol;
  }

  /**
   * Sends one whole message. Stream flow choice: `options.flowId` when that flow is still open (RFC
   * 3261 18.2.2: responses go back on the connection the request came in on), else an open flow to
   * the same address, else a new client connection. Rejects with RingagentError (`connect_failed`,
   * `connect_timeout`, `flow_closed`, ... all retryable) and never throws synchronously.
   */
  async send(
    data: Buffer,
    destination: SipAddress,
    options: LayerSendOptions = {},
  ): Promise<LayerSendResult> {
    this.#assertOpen();
    const protocol = this.selectProtocol(destination, data.length, options);
    if (protocol === "udp") return this.#sendUdp(data, destination);
    let flow = options.flowId === undefined ? undefined : this.#flows.get(options.flowId);
    if (flow === undefined || !flow.isOpen) {
      flow = await this.#flowTo({ ...destination, protocol }, options.signal);
    }
    await flow.send(data);
    const c = this.counters(flow.protocol);
    c.messagesOut++;
    c.bytesOut += data.length;
    return { flowId: flow.id, local: flow.local, remote: flow.remote };
  }

  /** Opens (or reuses) a client flow to `destination` without sending anything. */
  async connect(destination: SipAddress, signal?: AbortSignal): Promise<FlowInfo> {
    this.#assertOpen();
    if (destination.protocol === "udp") throw new RingagentError("config_invalid", "udp has no connections");
    return info(await this.#flowTo(destination, signal));
  }

  /** Releases every socket; open flows report `flowClosed(..., "transport_closed")`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const flow of [...this.#flows.values()]) flow.close("transport_closed");
    await Promise.all([
      ...this.#udp.map((u) => u.close()),
      ...this.#servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    ]);
  }

  async #sendUdp(data: Buffer, destination: SipAddress): Promise<LayerSendResult> {
    const host = await resolveHost(destination.host);
    const family = isIP(host) === 6 ? 6 : 4;
    let udp = this.#udp.find((u) => u.family === family);
    if (udp === undefined) {
      // No listener of this family: an ephemeral socket (its responses still arrive as messages).
      udp = await UdpTransport.bind(family === 6 ? "::" : "0.0.0.0", 0, this.counters("udp"), (m) =>
        this.emit("message", m),
      );
      this.#udp.push(udp);
    }
    await udp.send(data, host, destination.port);
    const remote: SipAddress = { protocol: "udp", host, port: destination.port };
    return { flowId: udpFlowId(udp.local, host, destination.port), local: udp.local, remote };
  }

  async #flowTo(destination: SipAddress, signal: AbortSignal | undefined): Promise<Flow> {
    const host = await resolveHost(destination.host);
    const resolved: SipAddress = { protocol: destination.protocol, host, port: destination.port };
    const key = addressKey(resolved);
    const existing = this.#flowsByAddress.get(key);
    if (existing?.isOpen) return existing;
    const pending = this.#connecting.get(key);
    if (pending !== undefined) return pending;
    const servername = isIP(destination.host) === 0 ? destination.host : undefined;
    const attempt = this.#open(resolved, servername, signal).finally(() => this.#connecting.delete(key));
    this.#connecting.set(key, attempt);
    return attempt;
  }

  async #open(
    destination: SipAddress,
    servername: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Flow> {
    const c = this.counters(destination.protocol);
    let opened: Awaited<ReturnType<typeof openStreamSocket>>;
    try {
      const tls = this.#options.tls ?? {};
      opened = await openStreamSocket(destination, {
        clock: this.clock,
        tls: servername === undefined || tls.servername !== undefined ? tls : { ...tls, servername },
        connectTimeoutMs: this.#options.connectTimeoutMs ?? 10_000,
        wsPath: this.#options.wsPath ?? "/",
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (error) {
      c.connectFailures++;
      throw error;
    }
    if (this.#closed) {
      opened.socket.destroy();
      throw new RingagentError("transport_closed", "transport layer closed");
    }
    return this.#adopt(opened.socket, destination.protocol, "client", opened.leftover);
  }

  #accept(socket: Socket, protocol: "tcp" | "tls"): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    this.#adopt(socket, protocol, "server", Buffer.alloc(0));
  }

  #adopt(socket: Socket, protocol: TransportProtocol, role: FlowRole, leftover: Buffer): Flow {
    const local: SipAddress = {
      protocol,
      host: normalizeHost(socket.localAddress ?? ""),
      port: socket.localPort ?? 0,
    };
    const remote: SipAddress = {
      protocol,
      host: normalizeHost(socket.remoteAddress ?? ""),
      port: socket.remotePort ?? 0,
    };
    const id = `${protocol}:${hostPort(remote.host, remote.port)}#${randomToken(4)}`;
    const identity = { id, protocol, role, local, remote };
    const c = this.counters(protocol);
    const flow =
      protocol === "ws" || protocol === "wss"
        ? new WsFlow(socket, identity, this.#sink, c, this.#flowOptions, leftover)
        : new StreamFlow(socket, identity, this.#sink, c, this.#flowOptions);
    c.flowsOpened++;
    this.#flows.set(id, flow);
    this.#flowsByAddress.set(addressKey(remote), flow);
    this.emit("flowOpened", info(flow));
    return flow;
  }

  #forget(flow: Flow, reason: FlowCloseReason): void {
    if (!this.#flows.delete(flow.id)) return;
    const key = addressKey(flow.remote);
    if (this.#flowsByAddress.get(key) === flow) this.#flowsByAddress.delete(key);
    this.counters(flow.protocol).flowsClosed++;
    this.emit("flowClosed", flow.id, reason);
  }

  #assertOpen(): void {
    if (this.#closed) throw new RingagentError("transport_closed", "transport layer closed");
  }
}
