import type { Socket } from "node:net";
import { type Clock, RingagentError, type Timer } from "../../shared/index.js";
import type { Flow, FlowCloseReason, FlowRole, FlowSink, TransportCounters } from "./flow-types.js";
import { StreamFramer, type StreamFramerOptions } from "./stream-framer.js";
import type { SipAddress, TransportProtocol } from "./transport-types.js";

export interface StreamFlowOptions extends StreamFramerOptions {
  readonly clock: Clock;
  /** Close the connection after this long without bytes in either direction (0 = never). */
  readonly idleTimeoutMs: number;
  /**
   * Client flows send a CRLFCRLF ping this often (0 = off). RFC 5626 4.4.1: the UA "MUST send" the
   * next keep-alive after a random time between 80% and 100% of the interval.
   */
  readonly keepAliveIntervalMs: number;
  /** RFC 5626 4.4.1: "If a pong is not received within 10 seconds ... the flow has failed". */
  readonly pongTimeoutMs: number;
}

export const defaultStreamFlowTimings = {
  idleTimeoutMs: 300_000,
  keepAliveIntervalMs: 25_000,
  pongTimeoutMs: 10_000,
} as const;

export interface FlowIdentity {
  readonly id: string;
  readonly protocol: TransportProtocol;
  readonly role: FlowRole;
  readonly local: SipAddress;
  readonly remote: SipAddress;
}

const PING = Buffer.from("\r\n\r\n");
const PONG = Buffer.from("\r\n");

/** A TCP or TLS connection carrying SIP: frames inbound bytes, answers pings, sends keep-alives. */
export class StreamFlow implements Flow {
  readonly id: string;
  readonly protocol: TransportProtocol;
  readonly role: FlowRole;
  readonly local: SipAddress;
  readonly remote: SipAddress;
  readonly #socket: Socket;
  readonly #sink: FlowSink;
  readonly #options: StreamFlowOptions;
  readonly #counters: TransportCounters;
  readonly #framer: StreamFramer;
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
    this.#framer = new StreamFramer(options);
    socket.setNoDelay(true);
    socket.resume();
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("error", () => this.#finish("socket_error"));
    socket.on("close", () => this.#finish("closed_by_peer"));
    socket.on("end", () => socket.end());
    this.#touch();
    this.#scheduleKeepAlive();
  }

  get isOpen(): boolean {
    return this.#closedReason === undefined;
  }

  send(data: Buffer): Promise<void> {
    if (this.#closedReason !== undefined) {
      return Promise.reject(new RingagentError("flow_closed", "flow is closed", { retryable: true }));
    }
    this.#touch();
    return new Promise((resolve, reject) => {
      this.#socket.write(data, (error) => {
        if (error)
          reject(new RingagentError("flow_send_failed", "write failed", { retryable: true, cause: error }));
        else resolve();
      });
    });
  }

  /** Sends a CRLFCRLF ping now and expects a pong within `pongTimeoutMs` (the keep-alive timer uses this). */
  ping(): void {
    if (this.#closedReason !== undefined) return;
    this.#socket.write(PING);
    this.#pongTimer ??= this.#options.clock.setTimer(this.#options.pongTimeoutMs, () =>
      this.close("keepalive_timeout"),
    );
  }

  close(reason: FlowCloseReason = "closed_locally"): void {
    if (this.#closedReason !== undefined) return;
    this.#finish(reason);
    if (reason === "transport_closed") {
      this.#socket.destroy();
      return;
    }
    const socket = this.#socket;
    socket.end();
    // Safety net, not protocol timing (so not on the injected clock): a peer that never reads must
    // not keep the socket forever; unref'd so it never holds the process open.
    const linger = setTimeout(() => socket.destroy(), 2_000);
    linger.unref();
    socket.once("close", () => clearTimeout(linger));
  }

  #onData(chunk: Buffer): void {
    if (this.#closedReason !== undefined) return;
    this.#counters.bytesIn += chunk.length;
    this.#touch();
    for (const event of this.#framer.push(chunk)) {
      switch (event.kind) {
        case "message":
          this.#sink.message(this, event.data);
          break;
        case "ping":
          // RFC 5626 4.4.1: "When a server receives a double-CRLF sequence ... it MUST immediately
          // send a single CRLF over the same connection."
          this.#socket.write(PONG);
          this.#sink.keepAlive(this, "ping");
          break;
        case "pong":
          this.#pongTimer?.cancel();
          this.#pongTimer = undefined;
          this.#sink.keepAlive(this, "pong");
          break;
        case "error":
          this.#counters.dropped += this.#framer.bufferedBytes + chunk.length;
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
    const delayMs = intervalMs * (0.8 + 0.2 * Math.random());
    this.#keepAliveTimer = this.#options.clock.setTimer(delayMs, () => {
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
    if (reason !== "closed_locally" && reason !== "transport_closed") this.#socket.destroy();
    this.#sink.closed(this, reason);
  }
}
