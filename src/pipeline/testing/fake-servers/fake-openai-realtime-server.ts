/**
 * A local OpenAI Realtime endpoint (WebSocket /v1/realtime?model=...) over a real socket, from the
 * public API reference. It checks the bearer key at the handshake (HTTP 401 with an OpenAI error
 * body otherwise), answers session.update with session.updated, and plays a scripted turn once
 * `respondAfterAudioMs` of caller audio was appended: speech_started/stopped, the caller's
 * transcript, then a response (output_audio deltas of 24 kHz PCM16 with transcript deltas, or a
 * function call). `bargeIn()` reports speech_started mid-response and stops the audio, as the
 * server VAD does. Truncations beyond the audio sent, and cancels without an active response, get
 * the error events the real server sends.
 */
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { openAiErrorBody, tonePcm } from "./fake-openai-server.js";
import { FaultScript, startHttp, stopHttp } from "./fake-server-kit.js";

export type FakeRealtimeReply =
  | { readonly kind: "audio"; readonly text: string; readonly audioMs: number }
  | { readonly kind: "function_call"; readonly name: string; readonly arguments: string };

export class FakeOpenAiRealtimeServer {
  /** Handshake faults: status and slow_first_byte; drop_mid_stream terminates after N audio deltas. */
  readonly faults = new FaultScript();
  /** Every client event received, parsed. */
  readonly received: Record<string, unknown>[] = [];
  readonly queries: URLSearchParams[] = [];
  readonly firstByteAtMs: number[] = [];
  apiKey = "sk-test";
  respondAfterAudioMs = 200;
  callerTranscript = "hello";
  /** Replies in order, one per response. */
  readonly replies: FakeRealtimeReply[] = [];
  /** Delay between audio deltas (each 100 ms of audio). */
  deltaGapMs = 5;
  #server: Server | undefined;
  #wss: WebSocketServer | undefined;
  #port = 0;
  #socket: WebSocket | undefined;
  #counter = 0;
  #activeResponse: string | undefined;
  readonly #sentMs = new Map<string, number>();
  #dropAfterDeltas: number | undefined;

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
    for (const c of this.#wss?.clients ?? []) c.terminate();
    this.#wss?.close();
    if (this.#server !== undefined) await stopHttp(this.#server);
  }

  /** Types of the client events received so far. */
  get receivedTypes(): string[] {
    return this.received.map((e) => String(e.type));
  }

  /** The caller talks over the agent: speech_started, and the running response stops (cancelled). */
  bargeIn(audioStartMs = 1000): void {
    this.#send({
      type: "input_audio_buffer.speech_started",
      event_id: this.#id("ev"),
      audio_start_ms: audioStartMs,
      item_id: this.#id("item"),
    });
    this.#cancel();
  }

  /** Sends an error event, as the server does for a bad client event. */
  sendError(code: string, message = "error"): void {
    this.#error("invalid_request_error", code, message);
  }

  #cancel(): void {
    const response = this.#activeResponse;
    if (response !== undefined) {
      this.#activeResponse = undefined;
      this.#send({
        type: "response.done",
        event_id: this.#id("ev"),
        response: { id: response, object: "realtime.response", status: "cancelled", output: [] },
      });
    }
  }

  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const fault = this.faults.take();
    const reject = (status: number, body: unknown): void => {
      const json = JSON.stringify(body);
      socket.end(
        `HTTP/1.1 ${status} Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
      );
    };
    if (url.pathname !== "/v1/realtime")
      return reject(404, openAiErrorBody("Not found", "invalid_request_error"));
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
      return reject(
        401,
        openAiErrorBody("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
      );
    }
    if (fault?.kind === "status") return reject(fault.status, fault.body);
    if (fault?.kind === "slow_first_byte") {
      await new Promise((r) => setTimeout(r, fault.delayMs));
      if (socket.destroyed) return;
    }
    this.#dropAfterDeltas = fault?.kind === "drop_mid_stream" ? fault.afterChunks : undefined;
    this.queries.push(url.searchParams);
    this.#wss?.handleUpgrade(req, socket, head, (ws) => this.#serve(ws));
  }

  #serve(ws: WebSocket): void {
    this.#socket = ws;
    let audioMs = 0;
    let responded = false;
    this.#send({ type: "session.created", event_id: this.#id("ev"), session: { id: this.#id("sess") } });
    ws.on("message", (data) => {
      let e: Record<string, unknown>;
      try {
        e = JSON.parse(String(data)) as Record<string, unknown>;
      } catch {
        this.#error("invalid_request_error", "invalid_json", "Invalid JSON");
        return;
      }
      this.received.push(e);
      switch (e.type) {
        case "session.update":
          this.#send({ type: "session.updated", event_id: this.#id("ev"), session: e.session });
          return;
        case "input_audio_buffer.append": {
          audioMs += (Buffer.from(String(e.audio), "base64").length / 2 / 24_000) * 1000;
          if (!responded && audioMs >= this.respondAfterAudioMs) {
            responded = true;
            const itemId = this.#id("item");
            this.#send({
              type: "input_audio_buffer.speech_started",
              event_id: this.#id("ev"),
              audio_start_ms: 0,
              item_id: itemId,
            });
            this.#send({
              type: "input_audio_buffer.speech_stopped",
              event_id: this.#id("ev"),
              audio_end_ms: audioMs,
              item_id: itemId,
            });
            this.#send({
              type: "conversation.item.input_audio_transcription.completed",
              event_id: this.#id("ev"),
              item_id: itemId,
              content_index: 0,
              transcript: this.callerTranscript,
            });
            void this.#respond();
          }
          return;
        }
        case "response.create":
          void this.#respond();
          return;
        case "response.cancel":
          if (this.#activeResponse === undefined) {
            this.#error(
              "invalid_request_error",
              "response_cancel_not_active",
              "Cancellation failed: no active response found.",
            );
          } else {
            this.#cancel();
          }
          return;
        case "conversation.item.truncate": {
          const sent = this.#sentMs.get(String(e.item_id));
          const end = Number(e.audio_end_ms);
          if (sent === undefined) this.#error("invalid_request_error", "item_not_found", "Item not found");
          else if (!(end >= 0 && end <= sent))
            this.#error(
              "invalid_request_error",
              "invalid_value",
              "audio_end_ms is greater than the audio duration",
            );
          else
            this.#send({
              type: "conversation.item.truncated",
              event_id: this.#id("ev"),
              item_id: e.item_id,
              content_index: 0,
              audio_end_ms: end,
            });
          return;
        }
        case "conversation.item.create":
          this.#send({ type: "conversation.item.created", event_id: this.#id("ev"), item: e.item });
          return;
        default:
          this.#error("invalid_request_error", "unknown_event", "Unknown event type");
      }
    });
    ws.on("error", () => undefined);
  }

  async #respond(): Promise<void> {
    const reply = this.replies.shift() ?? { kind: "audio", text: "Hi.", audioMs: 500 };
    const responseId = this.#id("resp");
    const itemId = this.#id("item");
    this.#activeResponse = responseId;
    this.#send({
      type: "response.created",
      event_id: this.#id("ev"),
      response: { id: responseId, object: "realtime.response", status: "in_progress" },
    });
    if (reply.kind === "function_call") {
      const callId = this.#id("call");
      this.#send({
        type: "response.function_call_arguments.done",
        event_id: this.#id("ev"),
        response_id: responseId,
        item_id: itemId,
        output_index: 0,
        call_id: callId,
        name: reply.name,
        arguments: reply.arguments,
      });
    } else {
      this.#send({
        type: "response.output_item.added",
        event_id: this.#id("ev"),
        response_id: responseId,
        output_index: 0,
        item: { id: itemId, type: "message", role: "assistant" },
      });
      this.#send({
        type: "response.output_audio_transcript.delta",
        event_id: this.#id("ev"),
        response_id: responseId,
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        delta: reply.text,
      });
      const pcm = tonePcm(24_000, reply.audioMs);
      const step = 4800; // 100 ms
      let deltas = 0;
      for (let at = 0; at < pcm.length; at += step) {
        if (this.#activeResponse !== responseId) return; // cancelled: the server stops sending audio
        if (this.#dropAfterDeltas !== undefined && deltas >= this.#dropAfterDeltas) {
          this.#socket?.terminate();
          return;
        }
        const chunk = pcm.subarray(at, at + step);
        if (deltas === 0) this.firstByteAtMs.push(performance.now());
        this.#send({
          type: "response.output_audio.delta",
          event_id: this.#id("ev"),
          response_id: responseId,
          item_id: itemId,
          output_index: 0,
          content_index: 0,
          delta: chunk.toString("base64"),
        });
        this.#sentMs.set(itemId, (this.#sentMs.get(itemId) ?? 0) + (chunk.length / 2 / 24_000) * 1000);
        deltas++;
        await new Promise((r) => setTimeout(r, this.deltaGapMs));
      }
    }
    if (this.#activeResponse !== responseId) return;
    this.#activeResponse = undefined;
    this.#send({
      type: "response.done",
      event_id: this.#id("ev"),
      response: { id: responseId, object: "realtime.response", status: "completed", output: [] },
    });
  }

  #error(type: string, code: string, message: string): void {
    this.#send({
      type: "error",
      event_id: this.#id("ev"),
      error: { type, code, message, param: null, event_id: null },
    });
  }

  #send(event: Record<string, unknown>): void {
    this.#socket?.send(JSON.stringify(event));
  }

  #id(prefix: string): string {
    return `${prefix}_${++this.#counter}`;
  }
}
