import { EventEmitter } from "node:events";
import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Socket } from "node:net";
import { systemClock } from "../../../shared/index.js";
import {
  emptyCounters,
  type Flow,
  type FlowCloseReason,
  type FlowSink,
  normalizeHost,
} from "../flow-types.js";
import type { InboundMessage, SipAddress } from "../transport-types.js";
import { WsFlow } from "../ws-flow.js";
import { buildUpgradeResponse } from "../ws-handshake.js";

export interface WsTestServerEvents {
  message: [InboundMessage];
  flowClosed: [flowId: string, reason: FlowCloseReason];
}

/**
 * A small SIP-over-WebSocket server for loopback tests. The HTTP upgrade is parsed by node:http (not
 * by our client code), so handshake bugs in the client are caught; frames use the server role of
 * {@link WsFlow} (unmasked sends, masked frames required from the client).
 */
export class WsTestServer extends EventEmitter<WsTestServerEvents> {
  readonly address: SipAddress;
  readonly flows = new Map<string, Flow>();
  readonly counters = emptyCounters();
  /** Paths of accepted upgrade requests. */
  readonly upgradePaths: string[] = [];
  readonly #server: Server;
  #nextId = 1;

  private constructor(server: Server, address: SipAddress) {
    super();
    this.#server = server;
    this.address = address;
  }

  static async start(options: {
    host?: string;
    port?: number;
    tls?: { key: string | Buffer; cert: string | Buffer };
    /** Reply without the "sip" subprotocol (to test the client's check). */
    omitSubprotocol?: boolean;
  }): Promise<WsTestServer> {
    const server = options.tls === undefined ? createHttpServer() : createHttpsServer(options.tls);
    await new Promise<void>((resolve) =>
      server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve),
    );
    const bound = server.address();
    if (bound === null || typeof bound === "string") throw new Error("no address");
    const protocol = options.tls === undefined ? "ws" : "wss";
    const self = new WsTestServer(server, { protocol, host: bound.address, port: bound.port });
    server.on("upgrade", (request: IncomingMessage, socket: Socket, head: Buffer) => {
      self.#upgrade(request, socket, head, options.omitSubprotocol === true);
    });
    return self;
  }

  #upgrade(request: IncomingMessage, socket: Socket, head: Buffer, omitSubprotocol: boolean): void {
    const key = request.headers["sec-websocket-key"];
    const protocols = (request.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
    if (
      typeof key !== "string" ||
      !protocols.includes("sip") ||
      request.headers.upgrade?.toLowerCase() !== "websocket"
    ) {
      socket.end("HTTP/1.1 400 Bad Request\r\n\r\n");
      return;
    }
    this.upgradePaths.push(request.url ?? "");
    socket.write(buildUpgradeResponse(key, { selectSip: !omitSubprotocol }));
    const protocol = this.address.protocol;
    const remote: SipAddress = {
      protocol,
      host: normalizeHost(socket.remoteAddress ?? ""),
      port: socket.remotePort ?? 0,
    };
    const local: SipAddress = {
      protocol,
      host: normalizeHost(socket.localAddress ?? ""),
      port: socket.localPort ?? 0,
    };
    const sink: FlowSink = {
      message: (flow, data) => {
        this.counters.messagesIn++;
        this.emit("message", { data, source: flow.remote, local: flow.local, flowId: flow.id });
      },
      closed: (flow, reason) => {
        this.flows.delete(flow.id);
        this.emit("flowClosed", flow.id, reason);
      },
      framingError: () => {
        this.counters.framingErrors++;
      },
      keepAlive: () => {
        this.counters.keepAlivesIn++;
      },
    };
    const flow = new WsFlow(
      socket,
      { id: `ws-server-${this.#nextId++}`, protocol, role: "server", local, remote },
      sink,
      this.counters,
      {
        clock: systemClock,
        idleTimeoutMs: 0,
        keepAliveIntervalMs: 0,
        pongTimeoutMs: 10_000,
        maxMessageBytes: 65_536,
        missingContentLength: "error",
      },
      head,
    );
    this.flows.set(flow.id, flow);
  }

  /** Sends a SIP message to a connected client. */
  async send(flowId: string, data: Buffer): Promise<void> {
    const flow = this.flows.get(flowId);
    if (flow === undefined) throw new Error(`no flow ${flowId}`);
    await flow.send(data);
  }

  /** Closes every client connection (a WebSocket close handshake). */
  dropAll(): void {
    for (const flow of [...this.flows.values()]) flow.close("closed_locally");
  }

  async close(): Promise<void> {
    for (const flow of [...this.flows.values()]) flow.close("transport_closed");
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
