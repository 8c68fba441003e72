/**
 * The OpenAI Realtime WebSocket (wss://api.openai.com/v1/realtime?model=...): connects with the
 * bearer key (plus `OpenAI-Beta: realtime=v1` for the beta protocol), turns a refused handshake
 * into the typed HTTP error of its OpenAI error body, parses server events, and reports an
 * unexpected close once, as a retryable error. Malformed events are dropped and counted.
 */
import WebSocket from "ws";
import { AbortedError, type Clock, RingagentError, systemClock } from "../../shared/index.js";
import { ProviderError } from "../base/provider-retry.js";
import { ProviderHttpError, parseErrorBody, retryAfterMsFrom } from "../provider-setup/http-error.js";
import { parseRealtimeEvent, type RealtimeServerEvent } from "./realtime-events.js";

export interface RealtimeClientOptions {
  readonly apiKey: string;
  /** Default wss://api.openai.com. */
  readonly baseUrl?: string;
  readonly model: string;
  readonly protocol?: "ga" | "beta";
  readonly connectTimeoutMs?: number;
  readonly clock?: Clock;
  readonly name?: string;
}

export class RealtimeClient {
  readonly name: string;
  malformedEvents = 0;
  readonly #o: RealtimeClientOptions;
  #ws: WebSocket | undefined;
  #closedByUs = false;
  onEvent: (event: RealtimeServerEvent) => void = () => undefined;
  /** Called once when the socket closes without close() (a retryable error). */
  onLost: (error: RingagentError) => void = () => undefined;

  constructor(options: RealtimeClientOptions) {
    this.name = options.name ?? "openai-realtime";
    this.#o = options;
  }

  connect(signal: AbortSignal): Promise<void> {
    const o = this.#o;
    const clock = o.clock ?? systemClock;
    const url = new URL("/v1/realtime", o.baseUrl ?? "wss://api.openai.com");
    url.searchParams.set("model", o.model);
    const headers: Record<string, string> = { Authorization: `Bearer ${o.apiKey}` };
    if (o.protocol === "beta") headers["OpenAI-Beta"] = "realtime=v1";
    const ws = new WebSocket(url, { headers });
    this.#ws = ws;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: RingagentError): void => {
        if (settled) return;
        settled = true;
        timer.cancel();
        signal.removeEventListener("abort", onAbort);
        if (error === undefined) resolve();
        else {
          ws.terminate();
          reject(error);
        }
      };
      const onAbort = (): void =>
        settle(signal.reason instanceof RingagentError ? signal.reason : new AbortedError(this.name));
      const timer = clock.setTimer(o.connectTimeoutMs ?? 5000, () =>
        settle(
          new ProviderError(this.name, "provider_timeout", `${this.name} did not connect in time`, {
            retryable: true,
          }),
        ),
      );
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
      ws.on("open", () => settle());
      ws.on("unexpected-response", (_req, res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", () => undefined);
        res.on("end", () => {
          let body: unknown;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
          } catch {
            body = undefined;
          }
          const header = (n: string): string | undefined => {
            const v = res.headers[n];
            return Array.isArray(v) ? v[0] : v;
          };
          settle(
            new ProviderHttpError(this.name, res.statusCode ?? 0, parseErrorBody(body), {
              retryAfterMs: retryAfterMsFrom(header, clock.epochMs()),
            }),
          );
        });
      });
      ws.on("error", (error) => {
        const e = new ProviderError(
          this.name,
          "provider_connection_failed",
          `${this.name} connection failed`,
          {
            retryable: true,
            cause: error,
          },
        );
        if (!settled) settle(e);
      });
      ws.on("message", (data, isBinary) => {
        if (isBinary) {
          this.malformedEvents++;
          return;
        }
        const event = parseRealtimeEvent(
          Array.isArray(data) ? Buffer.concat(data).toString("utf8") : data.toString(),
        );
        if (event === undefined) this.malformedEvents++;
        else this.onEvent(event);
      });
      ws.on("close", (code) => {
        if (!settled) {
          settle(
            new ProviderError(this.name, "provider_connection_failed", `${this.name} closed (${code})`, {
              retryable: true,
            }),
          );
          return;
        }
        if (this.#closedByUs) return;
        this.onLost(
          new ProviderError(
            this.name,
            "realtime_connection_lost",
            `${this.name} closed the session (${code})`,
            { retryable: true },
          ),
        );
      });
    });
  }

  /** Sends one client event; false when the socket is not open (the event is dropped). */
  send(event: Readonly<Record<string, unknown>>): boolean {
    if (this.#ws?.readyState !== WebSocket.OPEN) return false;
    this.#ws.send(JSON.stringify(event));
    return true;
  }

  close(): void {
    this.#closedByUs = true;
    this.#ws?.close(1000);
    const ws = this.#ws;
    setTimeout(() => ws?.terminate(), 1000).unref();
  }
}
