import type { Socket } from "node:net";
import { RingagentError, type Timer } from "../../shared/index.js";
import type { Flow, FlowCloseReason, FlowRole, FlowSink, TransportCounters } from "./flow-types.js";
import type { FlowIdentity, StreamFlowOptions } from "./stream-flow.js";
import type { SipAddress, TransportProtocol } from "./transport-types.js";
import { encodeWsClose, encodeWsFrame, WsFrameParser, WsOpcode } from "./ws-frame.js";

/**
 * SIP over an open WebSocket (RFC 7118): each text (or binary) message is one whole SIP message
 * (RFC 7118 5.2: "each SIP message MUST be carried within a single WebSocket message"). Keep-alives
 * are WebSocket pings from the client side; pings from the peer are answered with pongs.
 */
export class WsFlow implements Flow {
  readonly id: string;
  readonly protocol: TransportProtocol;
  readonly role: FlowRole;
  readonly local: SipAddress;
  readonly remote: SipAddress;
  readonly #socket: Socket;
  readonly #sink: FlowSink;
  readonly #counters: TransportCounters;
  readonly #options: StreamFlowOptions;
  readonly #parser: WsFrameParser;
  readonly #mask: boolean;
  #closedReason: FlowCloseReason | undefined;
  #idleTimer: Timer | undefined;
  #keepAliveTimer: Timer | undefined;
  #pongTimer: Timer | undefined;

  constructor(
    socket: Socket,
    identity: FlowIdentity,
    sink: FlowSink,
    counters: TransportCounters,
    options: StreamFlowOptions,
    initialBytes: Buffer,
  ) {
    this.id = identity.id;
    this.protocol = identity.protocol;
    this.role = identity.role;
    this.local = identity.local;
    this.remote = identity.remote;
    this.#socket = socket;
    this.#sink = sink;
    this.#counters = counters;
    this.#options = options;
    this.#mask = identity.role === "client";
    this.#parser = new WsFrameParser({ expectMasked: !this.#mask, maxMessageBytes: options.maxMessageBytes });
    socket.setNoDelay(true);
    socket.resume();
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("error", () => this.#finish("socket_error"));
    socket.on("close", () => this.#finish("closed_by_peer"));
    this.#touch();
    this.#scheduleKeepAlive();
    if (initialBytes.length > 0) queueMicrotask(() => this.#onData(initialBytes));
  }

  get isOpen(): boolean {
    return this.#closedReason === undefined;
  }

  send(data: Buffer): Promise<void> {
    if (this.#closedReason !== undefined) {
      return Promise.reject(new RingagentError("flow_closed", "flow is closed", { retryable: true }));
    }
    this.#touch();
    const frame = encodeWsFrame(WsOpcode.text, data, { mask: this.#mask });
    return new Promise((resolve, reject) => {
      this.#socket.write(frame, (error) => {
        if (error)
          reject(new RingagentError("flow_send_failed", "write failed", { retryable: true, cause: error }));
        else resolve();
      });
    });
  }

  /** Sends a WebSocket ping now (tests; the keep-alive timer uses the same path). */
  ping(): void {
    if (this.#closedReason !== undefined) return;
    this.#socket.write(encodeWsFrame(WsOpcode.ping, Buffer.alloc(0), { mask: this.#mask }));
    this.#pongTimer ??= this.#options.clock.setTimer(this.#options.pongTimeoutMs, () =>
      this.close("keepalive_timeout"),
    );
  }

  close(reason: FlowCloseReason = "closed_locally"): void {
    if (this.#closedReason !== undefined) return;
    // RFC 6455 7.1.2 / 7.4.1: 1000 normal closure, 1002 protocol error, 1001 going away.
    const code = reason === "framing_error" ? 1002 : reason === "transport_closed" ? 1001 : 1000;
    this.#finish(reason);
    const socket = this.#socket;
    if (reason === "transport_closed") {
      socket.destroy();
      return;
    }
    socket.end(encodeWsClose(code, this.#mask));
    // Safety net, not protocol timing: a peer that never answers the close must not hold the socket.
    const linger = setTimeout(() => socket.destroy(), 2_000);
    linger.unref();
    socket.once("close", () => clearTimeout(linger));
  }

  #onData(chunk: Buffer): void {
    if (this.#closedReason !== undefined) return;
    this.#counters.bytesIn += chunk.length;
    this.#touch();
    for (const event of this.#parser.push(chunk)) {
      switch (event.kind) {
        case "message":
          this.#sink.message(this, event.payload);
          break;
        case "ping":
          // RFC 6455 5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response".
          this.#socket.write(encodeWsFrame(WsOpcode.pong, event.payload, { mask: this.#mask }));
          this.#sink.keepAlive(this, "ping");
          break;
        case "pong":
          this.#pongTimer?.cancel();
          this.#pongTimer = undefined;
          this.#sink.keepAlive(this, "pong");
          break;
        case "close":
          // RFC 6455 5.5.1: the receiver of a Close "MUST send a Close frame in response".
          this.close("closed_by_peer");
          return;
        case "error":
          this.#counters.dropped += chunk.length;
          this.#sink.framingError(this, event.code);
          this.close("framing_error");
          return;
      }
      if (this.#closedReason !== undefined) return;
    }
  }

  #touch(): void {
    if (this.#options.idleTimeoutMs <= 0 || this.#closedReason !== undefined) return;
    this.#idleTimer?.cancel();
    this.#idleTimer = this.#options.clock.setTimer(this.#options.idleTimeoutMs, () =>
      this.close("idle_timeout"),
    );
  }

  #scheduleKeepAlive(): void {
    const intervalMs = this.#options.keepAliveIntervalMs;
    if (this.role !== "client" || intervalMs <= 0 || this.#closedReason !== undefined) return;
    this.#keepAliveTimer = this.#options.clock.setTimer(intervalMs * (0.8 + 0.2 * Math.random()), () => {
      this.ping();
      this.#touch();
      this.#scheduleKeepAlive();
    });
  }

  #finish(reason: FlowCloseReason): void {
    if (this.#closedReason !== undefined) return;
    this.#closedReason = reason;
    this.#idleTimer?.cancel();
    this.#keepAliveTimer?.cancel();
    this.#pongTimer?.cancel();
    if (reason === "socket_error") this.#socket.destroy();
    this.#sink.closed(this, reason);
  }
}
