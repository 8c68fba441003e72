/**
 * A local Deepgram live-transcription endpoint (WebSocket /v1/listen) over a real socket, from the
 * public API reference. It checks `Authorization: Token KEY` at the handshake (answering HTTP 401
 * {"err_code","err_msg","request_id"} with a dg-error header otherwise), takes binary linear16
 * audio, and "recognizes" the utterances the test queued: interim Results as audio arrives (one
 * word per `msPerWord`), an is_final segment every `segmentMs`, and on Finalize the rest as a
 * Results with from_finalize. KeepAlive is counted; CloseStream answers Metadata then closes 1000.
 */
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { type FakeFault, FaultScript, startHttp, stopHttp } from "./fake-server-kit.js";

export interface FakeDeepgramConnection {
  readonly query: URLSearchParams;
  readonly authorization: string | undefined;
  audioBytes: number;
  keepAlives: number;
  finalizes: number;
  closeStreams: number;
}

export class FakeDeepgramServer {
  /** Handshake faults: status (HTTP error), slow_first_byte (slow handshake), drop_mid_stream (after N audio frames). */
  readonly faults = new FaultScript();
  readonly connections: FakeDeepgramConnection[] = [];
  /** performance.now() when each first interim result was sent. */
  readonly firstByteAtMs: number[] = [];
  apiKey = "dg-test";
  msPerWord = 200;
  segmentMs = 1000;
  readonly #utterances: string[][] = [];
  #server: Server | undefined;
  #wss: WebSocketServer | undefined;
  #port = 0;

  /** The next utterance the fake will hear. */
  say(text: string): void {
    this.#utterances.push(text.split(" ").filter((w) => w.length > 0));
  }

  async start(): Promise<this> {
    const { server, port } = await startHttp((_req, res) => {
      res.writeHead(404).end();
    });
    this.#server = server;
    this.#port = port;
    this.#wss = new WebSocketServer({ noServer: true });
    server.on("upgrade", (req, socket, head) => {
      void this.#upgrade(req, socket, head);
    });
    return this;
  }

  get baseUrl(): string {
    return `ws://127.0.0.1:${this.#port}`;
  }

  async stop(): Promise<void> {
    for (const client of this.#wss?.clients ?? []) client.terminate();
    this.#wss?.close();
    if (this.#server !== undefined) await stopHttp(this.#server);
  }

  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const fault = this.faults.take();
    if (url.pathname !== "/v1/listen")
      return rejectUpgrade(socket, 404, { err_code: "NOT_FOUND", err_msg: "Not found" });
    if (req.headers.authorization !== `Token ${this.apiKey}`) {
      return rejectUpgrade(socket, 401, {
        err_code: "INVALID_AUTH",
        err_msg: "Invalid credentials.",
        request_id: "00000000-0000-0000-0000-000000000000",
      });
    }
    if (fault?.kind === "status") {
      return rejectUpgrade(socket, fault.status, fault.body, fault.headers);
    }
    if (fault?.kind === "slow_first_byte") {
      await new Promise((r) => setTimeout(r, fault.delayMs));
      if (socket.destroyed) return;
    }
    this.#wss?.handleUpgrade(req, socket, head, (ws) => this.#serve(ws, url, req, fault));
  }

  #serve(ws: WebSocket, url: URL, req: IncomingMessage, fault: FakeFault | undefined): void {
    const c: FakeDeepgramConnection = {
      query: url.searchParams,
      authorization: req.headers.authorization,
      audioBytes: 0,
      keepAlives: 0,
      finalizes: 0,
      closeStreams: 0,
    };
    this.connections.push(c);
    const rateHz = Number(url.searchParams.get("sample_rate") ?? "16000");
    let segmentAudioMs = 0;
    let utteranceAudioMs = 0;
    let committed = 0;
    let frames = 0;
    let interimSent = false;
    const results = (words: string[], extra: Record<string, boolean>): string =>
      JSON.stringify({
        type: "Results",
        channel_index: [0, 1],
        duration: 0.5,
        start: 0,
        is_final: false,
        speech_final: false,
        from_finalize: false,
        channel: { alternatives: [{ transcript: words.join(" "), confidence: 0.98, words: [] }] },
        metadata: { request_id: "fake-request", model_info: { name: "fake" } },
        ...extra,
      });
    ws.on("message", (data, isBinary) => {
      const current = this.#utterances[0] ?? [];
      if (isBinary) {
        const bytes = Array.isArray(data) ? data.reduce((a, b) => a + b.length, 0) : (data as Buffer).length;
        c.audioBytes += bytes;
        frames++;
        if (fault?.kind === "drop_mid_stream" && frames > fault.afterChunks) {
          ws.terminate();
          return;
        }
        const ms = (bytes / 2 / rateHz) * 1000;
        utteranceAudioMs += ms;
        segmentAudioMs += ms;
        const heard = Math.min(current.length, Math.floor(utteranceAudioMs / this.msPerWord));
        if (segmentAudioMs >= this.segmentMs && heard > committed) {
          ws.send(results(current.slice(committed, heard), { is_final: true }));
          committed = heard;
          segmentAudioMs = 0;
        } else if (heard > committed) {
          if (!interimSent) this.firstByteAtMs.push(performance.now());
          interimSent = true;
          ws.send(results(current.slice(committed, heard), {}));
        }
        return;
      }
      let message: { type?: string };
      try {
        message = JSON.parse(String(data)) as { type?: string };
      } catch {
        ws.close(1008, "DATA-0000");
        return;
      }
      if (message.type === "KeepAlive") c.keepAlives++;
      else if (message.type === "Finalize") {
        c.finalizes++;
        if (utteranceAudioMs > 0) {
          ws.send(
            results(current.slice(committed), { is_final: true, speech_final: true, from_finalize: true }),
          );
          this.#utterances.shift();
        }
        utteranceAudioMs = 0;
        segmentAudioMs = 0;
        committed = 0;
        interimSent = false;
      } else if (message.type === "CloseStream") {
        c.closeStreams++;
        ws.send(JSON.stringify({ type: "Metadata", request_id: "fake-request", duration: 1, channels: 1 }));
        ws.close(1000);
      }
    });
    ws.on("error", () => undefined);
  }
}

function rejectUpgrade(
  socket: Duplex,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const json = JSON.stringify(body);
  const lines = [
    `HTTP/1.1 ${status} Error`,
    "Content-Type: application/json",
    `Content-Length: ${Buffer.byteLength(json)}`,
    "dg-error: request failed",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    "Connection: close",
    "",
    json,
  ];
  socket.end(lines.join("\r\n"));
}
