/**
 * A local ElevenLabs API over a real socket, from the public API reference:
 *   POST /v1/text-to-speech/{voice_id}/stream?output_format=pcm_16000   raw PCM16 at that rate, chunked
 *   GET  /v1/voices                                                    {"voices":[{voice_id,name,labels}]}
 * Auth is the `xi-api-key` header; errors are {"detail":{"status","message"}}.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { tonePcm } from "./fake-openai-server.js";
import { applyFault, FaultScript, sendJson, startHttp, stopHttp, writeChunks } from "./fake-server-kit.js";

export interface FakeElevenLabsRequest {
  readonly voiceId: string;
  readonly outputFormat: string | null;
  readonly body: Record<string, unknown>;
}

export function elevenLabsErrorBody(status: string, message: string) {
  return { detail: { status, message } };
}

export class FakeElevenLabsServer {
  readonly faults = new FaultScript();
  readonly requests: FakeElevenLabsRequest[] = [];
  readonly firstByteAtMs: number[] = [];
  apiKey = "xi-test";
  speechMs = 600;
  chunkBytes = 3001;
  voices = [
    { voice_id: "21m00Tcm4TlvDq8ikWAM", name: "Rachel", labels: { accent: "american", language: "en" } },
    { voice_id: "EXAVITQu4vr4xnSDxMaL", name: "Sarah", labels: { accent: "american", language: "en" } },
  ];
  #server: Server | undefined;
  #port = 0;

  async start(): Promise<this> {
    const { server, port } = await startHttp((req, res, body) => this.#handle(req, res, body));
    this.#server = server;
    this.#port = port;
    return this;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  async stop(): Promise<void> {
    if (this.#server !== undefined) await stopHttp(this.#server);
  }

  async #handle(req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    if (req.headers["xi-api-key"] !== this.apiKey) {
      sendJson(res, 401, elevenLabsErrorBody("invalid_api_key", "Invalid API key"));
      return;
    }
    if (req.method === "GET" && url.pathname === "/v1/voices") {
      sendJson(res, 200, { voices: this.voices });
      return;
    }
    const parts = url.pathname.split("/");
    // ["", "v1", "text-to-speech", voiceId, "stream"]
    if (
      req.method !== "POST" ||
      parts[2] !== "text-to-speech" ||
      parts[4] !== "stream" ||
      parts.length !== 5
    ) {
      sendJson(res, 404, { detail: "Not Found" });
      return;
    }
    const voiceId = decodeURIComponent(parts[3] ?? "");
    const body = JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
    const outputFormat = url.searchParams.get("output_format");
    this.requests.push({ voiceId, outputFormat, body });
    const fault = this.faults.take();
    if (await applyFault(fault, res)) return;
    if (!this.voices.some((v) => v.voice_id === voiceId)) {
      sendJson(res, 404, elevenLabsErrorBody("voice_not_found", "A voice with the voice_id was not found."));
      return;
    }
    const rate = /^pcm_(\d+)$/.exec(outputFormat ?? "")?.[1];
    if (rate === undefined) {
      sendJson(res, 422, {
        detail: [{ loc: ["query", "output_format"], msg: "unsupported format", type: "value_error" }],
      });
      return;
    }
    const pcm = tonePcm(Number(rate), this.speechMs);
    const chunks: Buffer[] = [];
    for (let at = 0; at < pcm.length; at += this.chunkBytes)
      chunks.push(pcm.subarray(at, at + this.chunkBytes));
    res.writeHead(200, { "content-type": "application/octet-stream" });
    await writeChunks(res, chunks, fault, () => this.firstByteAtMs.push(performance.now()));
  }
}
