/**
 * A local OpenAI-compatible API over a real socket, written from the public API reference:
 *   POST /v1/chat/completions      SSE stream of chat.completion.chunk objects, then `data: [DONE]`
 *   POST /v1/audio/speech          raw PCM16 24 kHz (response_format "pcm") or a WAV, chunked
 *   POST /v1/audio/transcriptions  multipart upload, answers {"text": ...}
 * Errors use the documented body {"error":{"message","type","param","code"}}. Faults (status with
 * Retry-After, slow first byte, dropped connection) are scripted per endpoint.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import {
  applyFault,
  FaultScript,
  parseMultipart,
  sendJson,
  startHttp,
  stopHttp,
  writeChunks,
} from "./fake-server-kit.js";

export interface FakeChatReply {
  readonly text?: string;
  readonly toolCalls?: readonly { readonly id: string; readonly name: string; readonly arguments: string }[];
}

export interface FakeTranscriptionRequest {
  readonly model: string;
  readonly language: string | undefined;
  readonly audioBytes: number;
  readonly filename: string | undefined;
}

/** An OpenAI error body. */
export function openAiErrorBody(
  message: string,
  type: string,
  code: string | null = null,
  param: string | null = null,
) {
  return { error: { message, type, param, code } };
}

export class FakeOpenAiServer {
  readonly chatFaults = new FaultScript();
  readonly speechFaults = new FaultScript();
  readonly transcriptionFaults = new FaultScript();
  /** Request bodies (parsed JSON) of chat completions, in order. */
  readonly chatRequests: Record<string, unknown>[] = [];
  readonly speechRequests: Record<string, unknown>[] = [];
  readonly transcriptionRequests: FakeTranscriptionRequest[] = [];
  readonly authorizations: string[] = [];
  /** performance.now() when the first body byte of each streamed answer left. */
  readonly firstByteAtMs: number[] = [];
  chatReply: (body: Record<string, unknown>, index: number) => FakeChatReply = () => ({
    text: "Hello there.",
  });
  /** Speech: milliseconds of a 440 Hz tone per request. */
  speechMs = 600;
  /** Bytes per HTTP chunk of speech (odd on purpose: chunks end mid-sample). */
  speechChunkBytes = 4801;
  transcript: (r: FakeTranscriptionRequest) => string = () => "hello world";
  #server: Server | undefined;
  #port = 0;

  async start(): Promise<this> {
    const { server, port } = await startHttp((req, res, body) => this.#handle(req, res, body));
    this.#server = server;
    this.#port = port;
    return this;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.#port}/v1`;
  }

  async stop(): Promise<void> {
    if (this.#server !== undefined) await stopHttp(this.#server);
  }

  async #handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    this.authorizations.push(req.headers.authorization ?? "");
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (req.method === "POST" && path === "/v1/chat/completions") return this.#chat(res, body);
    if (req.method === "POST" && path === "/v1/audio/speech") return this.#speech(res, body);
    if (req.method === "POST" && path === "/v1/audio/transcriptions") return this.#transcribe(req, res, body);
    sendJson(
      res,
      404,
      openAiErrorBody(`Unknown request URL: ${req.method} ${path}`, "invalid_request_error"),
    );
  }

  async #chat(res: ServerResponse, raw: Buffer): Promise<void> {
    const body = JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
    this.chatRequests.push(body);
    const fault = this.chatFaults.take();
    if (await applyFault(fault, res)) return;
    const reply = this.chatReply(body, this.chatRequests.length - 1);
    const model = typeof body.model === "string" ? body.model : "fake";
    const base = { id: "chatcmpl-fake", object: "chat.completion.chunk", created: 1_700_000_000, model };
    const chunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
      `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
    const chunks: string[] = [chunk({ role: "assistant", content: "" })];
    const words = (reply.text ?? "").split(/(?<= )/).filter((w) => w.length > 0);
    for (const w of words) chunks.push(chunk({ content: w }));
    (reply.toolCalls ?? []).forEach((call, index) => {
      chunks.push(
        chunk({
          tool_calls: [
            { index, id: call.id, type: "function", function: { name: call.name, arguments: "" } },
          ],
        }),
      );
      const half = Math.ceil(call.arguments.length / 2);
      for (const part of [call.arguments.slice(0, half), call.arguments.slice(half)]) {
        if (part.length > 0) chunks.push(chunk({ tool_calls: [{ index, function: { arguments: part } }] }));
      }
    });
    chunks.push(chunk({}, (reply.toolCalls ?? []).length > 0 ? "tool_calls" : "stop"));
    chunks.push("data: [DONE]\n\n");
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    await writeChunks(res, chunks, fault, () => this.firstByteAtMs.push(performance.now()));
  }

  async #speech(res: ServerResponse, raw: Buffer): Promise<void> {
    const body = JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
    this.speechRequests.push(body);
    const fault = this.speechFaults.take();
    if (await applyFault(fault, res)) return;
    if (typeof body.input !== "string" || body.input.length === 0) {
      sendJson(res, 400, openAiErrorBody("Missing input", "invalid_request_error", null, "input"));
      return;
    }
    const pcm = tonePcm(24_000, this.speechMs);
    const wav = body.response_format === "wav";
    const bytes = wav ? Buffer.concat([wavHeader(24_000, pcm.length, true), pcm]) : pcm;
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += this.speechChunkBytes) {
      chunks.push(bytes.subarray(at, at + this.speechChunkBytes));
    }
    res.writeHead(200, { "content-type": wav ? "audio/wav" : "audio/pcm", "transfer-encoding": "chunked" });
    await writeChunks(res, chunks, fault, () => this.firstByteAtMs.push(performance.now()));
  }

  async #transcribe(req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> {
    const fields = parseMultipart(raw, req.headers["content-type"] ?? "");
    const file = fields.get("file");
    const request: FakeTranscriptionRequest = {
      model: fields.get("model")?.data.toString("utf8") ?? "",
      language: fields.get("language")?.data.toString("utf8"),
      audioBytes: file?.data.length ?? 0,
      filename: file?.filename,
    };
    this.transcriptionRequests.push(request);
    const fault = this.transcriptionFaults.take();
    if (await applyFault(fault, res)) return;
    if (file === undefined) {
      sendJson(res, 400, openAiErrorBody("No file provided", "invalid_request_error", null, "file"));
      return;
    }
    if (fault?.kind === "drop_mid_stream") {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"text":');
      res.socket?.destroy();
      return;
    }
    this.firstByteAtMs.push(performance.now());
    sendJson(res, 200, { text: this.transcript(request) });
  }
}

/** A 440 Hz tone as PCM16 little-endian bytes. */
export function tonePcm(sampleRateHz: number, durationMs: number): Buffer {
  const n = Math.round((sampleRateHz * durationMs) / 1000);
  const out = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++)
    out.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / sampleRateHz)), i * 2);
  return out;
}

/** A WAV header; `streamed` writes the unknown-length sizes servers use when streaming. */
export function wavHeader(sampleRateHz: number, dataBytes: number, streamed = false): Buffer {
  const h = Buffer.alloc(44);
  h.write("RIFF", 0, "ascii");
  h.writeUInt32LE(streamed ? 0xffffffff : 36 + dataBytes, 4);
  h.write("WAVEfmt ", 8, "ascii");
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(sampleRateHz, 24);
  h.writeUInt32LE(sampleRateHz * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write("data", 36, "ascii");
  h.writeUInt32LE(streamed ? 0xffffffff : dataBytes, 40);
  return h;
}
