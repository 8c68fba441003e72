import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import { newId, randomToken } from "../shared/index.js";
import type { SubscriptionHub } from "./subscription-hub.js";
import type { TokenStore } from "./token-store.js";

/**
 * The WebSocket gateway (WSG, ringcentral.md 4.2): `ConnectionDetails` first, JSON-array frames,
 * `ClientRequest` answered with the same `messageId`, `Heartbeat` echoed, `ServerNotification`
 * with a growing `wsc.sequence`, and session recovery with `?wsc=` within `recoveryTimeout`
 * (buffered notifications replayed, `recoveryState` Successful/Failed).
 */
interface WsSession {
  readonly key: string;
  readonly wscToken: string;
  sequence: number;
  readonly authSessionId: string;
  socket: WebSocket | undefined;
  subscriptionId: string | undefined;
  readonly buffer: unknown[][];
  disconnectedAtMs: number | undefined;
}

export type RestOverWs = (request: {
  method: string;
  path: string;
  query: unknown;
  body: unknown;
  accessToken: string;
}) => Promise<{
  status: number;
  headers: Record<string, string>;
  body: unknown;
}>;

export interface WsGatewayOptions {
  readonly tokens: TokenStore;
  readonly hub: SubscriptionHub;
  readonly now: () => number;
  readonly recoveryTimeoutS: number;
  readonly recoveryBufferSize: number;
  readonly rest: RestOverWs;
}

export class WsGateway {
  readonly #options: WsGatewayOptions;
  readonly #server = new WebSocketServer({ noServer: true });
  readonly #sessions = new Map<string, WsSession>();
  /** Test control: the next recovery attempts report `recoveryState: "Failed"`. */
  failRecovery = false;
  counters = { connections: 0, recoveries: 0, failedRecoveries: 0, malformedFrames: 0, heartbeats: 0 };

  constructor(options: WsGatewayOptions) {
    this.#options = options;
  }

  /** Upgrade handler for the HTTP server (path `/ws`). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? "/", "http://emulator.invalid");
    if (url.pathname !== "/ws") {
      socket.destroy();
      return;
    }
    const wsToken = this.#options.tokens.checkWsToken(url.searchParams.get("access_token"));
    this.#server.handleUpgrade(request, socket, head, (ws) => {
      if (wsToken === undefined) {
        this.#send(ws, [
          { type: "Error", messageId: newId(), status: 401, headers: {} },
          { errorCode: "WSG-401", message: "Invalid access token" },
        ]);
        ws.close(1008, "unauthorized");
        return;
      }
      this.#attach(ws, wsToken.sessionId, url.searchParams.get("wsc"));
    });
  }

  /** Test control: drops every WebSocket abruptly (as a network failure would). */
  dropAll(): void {
    for (const session of this.#sessions.values()) {
      const socket = session.socket;
      if (socket === undefined) continue;
      session.socket = undefined;
      session.disconnectedAtMs = this.#options.now();
      socket.terminate();
    }
  }

  get openConnections(): number {
    return [...this.#sessions.values()].filter((s) => s.socket !== undefined).length;
  }

  /** Delivers a notification to a WebSocket subscription, or buffers it while disconnected. */
  deliver(wsSessionKey: string, notification: Record<string, unknown>): void {
    const session = this.#sessions.get(wsSessionKey);
    if (session === undefined) return;
    session.sequence += 1;
    const frame = [
      {
        type: "ServerNotification",
        messageId: newId(),
        status: 200,
        headers: { RCRequestId: newId() },
        wsc: { token: session.wscToken, sequence: session.sequence },
      },
      notification,
    ];
    if (session.socket === undefined || session.socket.readyState !== WebSocket.OPEN) {
      session.buffer.push(frame);
      if (session.buffer.length > this.#options.recoveryBufferSize) session.buffer.shift();
      return;
    }
    this.#send(session.socket, frame);
  }

  close(): void {
    for (const session of this.#sessions.values()) session.socket?.terminate();
    this.#server.close();
  }

  #attach(ws: WebSocket, authSessionId: string, wsc: string | null): void {
    this.counters.connections += 1;
    let recoveryState: "Successful" | "Failed" | undefined;
    let session: WsSession | undefined;
    if (wsc !== null) {
      const previous = [...this.#sessions.values()].find((s) => s.wscToken === wsc);
      const inWindow =
        previous?.disconnectedAtMs !== undefined &&
        this.#options.now() - previous.disconnectedAtMs <= this.#options.recoveryTimeoutS * 1000;
      if (previous !== undefined && inWindow && previous.socket === undefined && !this.failRecovery) {
        session = previous;
        recoveryState = "Successful";
        this.counters.recoveries += 1;
      } else {
        recoveryState = "Failed";
        this.counters.failedRecoveries += 1;
        if (previous !== undefined) this.#discard(previous);
      }
    }
    if (session === undefined) {
      session = {
        key: newId(),
        wscToken: randomToken(24),
        sequence: 0,
        authSessionId,
        socket: undefined,
        subscriptionId: undefined,
        buffer: [],
        disconnectedAtMs: undefined,
      };
      this.#sessions.set(session.key, session);
    }
    const current = session;
    current.socket = ws;
    current.disconnectedAtMs = undefined;
    current.sequence += 1;
    this.#send(ws, [
      {
        type: "ConnectionDetails",
        messageId: newId(),
        status: 200,
        wsc: { token: current.wscToken, sequence: current.sequence },
        headers: { RCRequestId: newId() },
      },
      {
        creationTime: new Date(this.#options.now()).toISOString(),
        maxConnectionsPerSession: 50,
        recoveryBufferSize: this.#options.recoveryBufferSize,
        recoveryTimeout: this.#options.recoveryTimeoutS,
        idleTimeout: 1800,
        absoluteTimeout: 86400,
        maxActiveRequests: 10,
        ...(recoveryState === undefined ? {} : { recoveryState }),
      },
    ]);
    // Replay what was missed once the client has re-attached its listeners (a frame coalesced with
    // ConnectionDetails in one TCP read would reach `@rc-ex/ws` before its subscription listens).
    const missed = current.buffer.splice(0);
    if (missed.length > 0) {
      setTimeout(() => {
        for (const frame of missed) this.#send(ws, frame);
      }, 100);
    }
    ws.on("message", (data) => {
      this.#onFrame(current, ws, data.toString()).catch(() => {
        this.counters.malformedFrames += 1;
      });
    });
    ws.on("close", () => {
      if (current.socket !== ws) return;
      current.socket = undefined;
      current.disconnectedAtMs = this.#options.now();
    });
    ws.on("error", () => undefined);
  }

  /** A session that cannot be recovered loses its subscription (the client must subscribe again). */
  #discard(session: WsSession): void {
    if (session.subscriptionId !== undefined) this.#options.hub.delete(session.subscriptionId);
    this.#sessions.delete(session.key);
  }

  async #onFrame(session: WsSession, ws: WebSocket, text: string): Promise<void> {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      this.counters.malformedFrames += 1;
      return;
    }
    if (!Array.isArray(frame) || frame[0] === null || typeof frame[0] !== "object") {
      this.counters.malformedFrames += 1;
      return;
    }
    const meta = frame[0] as Record<string, unknown>;
    const body: unknown = frame[1];
    if (meta.type === "Heartbeat") {
      this.counters.heartbeats += 1;
      this.#send(ws, [{ type: "Heartbeat", messageId: meta.messageId, status: 200 }]);
      return;
    }
    if (meta.type !== "ClientRequest" || typeof meta.path !== "string" || typeof meta.method !== "string") {
      this.counters.malformedFrames += 1;
      return;
    }
    const reply = await this.#clientRequest(session, meta.method.toUpperCase(), meta.path, meta.query, body);
    this.#send(ws, [
      {
        type: "ClientRequest",
        messageId: meta.messageId,
        status: reply.status,
        headers: { "Content-Type": "application/json;charset=UTF-8", RCRequestId: newId(), ...reply.headers },
      },
      ...(reply.body === undefined ? [] : [reply.body]),
    ]);
  }

  async #clientRequest(
    session: WsSession,
    method: string,
    path: string,
    query: unknown,
    body: unknown,
  ): Promise<{ status: number; headers: Record<string, string>; body: unknown }> {
    const hub = this.#options.hub;
    const rateHeaders = { "X-Rate-Limit-Group": "medium" };
    const filters = (body as { eventFilters?: unknown } | undefined)?.eventFilters;
    if (method === "POST" && path === "/restapi/v1.0/subscription") {
      const validated = hub.validateFilters(filters);
      if (!Array.isArray(validated))
        return { status: validated.status, headers: rateHeaders, body: validated.body };
      // Only one active subscription per WebSocket connection: a second one replaces the first.
      if (session.subscriptionId !== undefined) hub.delete(session.subscriptionId);
      const subscription = hub.create(
        validated,
        { transportType: "WebSocket", wsSessionKey: session.key },
        900,
      );
      session.subscriptionId = subscription.id;
      return { status: 200, headers: rateHeaders, body: hub.info(subscription) };
    }
    const match = /^\/restapi\/v1\.0\/subscription\/([^/]+)$/.exec(path);
    if (match !== null) {
      const id = match[1] ?? "";
      if (method === "DELETE") {
        if (session.subscriptionId === id) session.subscriptionId = undefined;
        return hub.delete(id)
          ? { status: 204, headers: rateHeaders, body: undefined }
          : {
              status: 404,
              headers: rateHeaders,
              body: { errors: [{ errorCode: "SUB-507", message: "Subscription not found" }] },
            };
      }
      if (method === "PUT") {
        const renewed = hub.renew(id, Array.isArray(filters) ? (filters as string[]) : undefined);
        if (renewed === undefined) {
          return {
            status: 404,
            headers: rateHeaders,
            body: { errors: [{ errorCode: "SUB-507", message: "Subscription not found" }] },
          };
        }
        return { status: 200, headers: rateHeaders, body: hub.info(renewed) };
      }
    }
    const accessToken = this.#options.tokens.accessTokenOf(session.authSessionId);
    if (accessToken === undefined) {
      return {
        status: 401,
        headers: {},
        body: { errors: [{ errorCode: "OAU-149", message: "Unparsable access token" }] },
      };
    }
    return this.#options.rest({ method, path, query, body, accessToken });
  }

  #send(ws: WebSocket, frame: unknown[]): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
  }
}
