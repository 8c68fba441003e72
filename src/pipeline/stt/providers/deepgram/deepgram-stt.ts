/**
 * Deepgram live transcription over one WebSocket per call (wss://api.deepgram.com/v1/listen).
 * Caller audio goes out as binary linear16 frames; KeepAlive holds the socket open while the caller
 * is silent (the pipeline sends audio only around speech, and Deepgram closes after 10 s without
 * any); Finalize makes Deepgram flush at once when our VAD says the caller stopped.
 *
 * Results map onto the pipeline's contract, one final per finalize(): Deepgram's own is_final
 * segments are collected, partials show collected + interim text, and the Results marked
 * from_finalize closes the utterance as one final. When no such answer comes within
 * `finalizeTimeoutMs` (nothing was pending at Deepgram), the collected text is the final.
 */
import WebSocket from "ws";
import type { AudioFrame } from "../../../../media/index.js";
import {
  AbortedError,
  type Clock,
  RingagentError,
  systemClock,
  type Timer,
} from "../../../../shared/index.js";
import { AsyncChannel } from "../../../base/async-channel.js";
import { ProviderError } from "../../../base/provider-retry.js";
import { ProviderHttpError, parseErrorBody, retryAfterMsFrom } from "../../../provider-setup/http-error.js";
import { frameBytes } from "../../../provider-setup/pcm-framer.js";
import type { SttProvider, SttResult, SttStream, SttStreamOptions } from "../../stt-types.js";
import {
  type DeepgramControl,
  deepgramLanguage,
  deepgramListenUrl,
  parseDeepgramMessage,
} from "./deepgram-messages.js";

export interface DeepgramSttOptions {
  readonly apiKey: string;
  /** Default wss://api.deepgram.com (self-hosted or EU endpoints differ). */
  readonly baseUrl?: string;
  /** Default nova-3 (English and Russian, among others). */
  readonly model?: string;
  readonly interimResults?: boolean;
  readonly endpointingMs?: number | false;
  readonly utteranceEndMs?: number;
  readonly smartFormat?: boolean;
  /** KeepAlive after this long without sending audio (default 4000; Deepgram's limit is 10 s). */
  readonly keepAliveMs?: number;
  readonly connectTimeoutMs?: number;
  readonly finalizeTimeoutMs?: number;
  /** Audio kept while connecting, at most (default 5000 ms); older audio is dropped and counted. */
  readonly maxBufferedMs?: number;
  readonly clock?: Clock;
  readonly name?: string;
}

export interface DeepgramStreamStats {
  malformedMessages: number;
  keepAlivesSent: number;
  droppedFrames: number;
  requestId: string | undefined;
}

export class DeepgramSttProvider implements SttProvider {
  readonly name: string;
  readonly #o: DeepgramSttOptions;

  constructor(options: DeepgramSttOptions) {
    this.name = options.name ?? "deepgram";
    this.#o = options;
  }

  open(options: SttStreamOptions): SttStream & { readonly stats: DeepgramStreamStats } {
    return new DeepgramSttStream(this.name, this.#o, options);
  }
}

class DeepgramSttStream implements SttStream {
  readonly stats: DeepgramStreamStats = {
    malformedMessages: 0,
    keepAlivesSent: 0,
    droppedFrames: 0,
    requestId: undefined,
  };
  readonly #name: string;
  readonly #o: DeepgramSttOptions;
  readonly #clock: Clock;
  readonly #channel = new AsyncChannel<SttResult | RingagentError>();
  readonly #ws: WebSocket;
  /** Audio and finalize marks written while connecting, in order. */
  readonly #pending: Array<Uint8Array | "finalize"> = [];
  readonly #maxPending: number;
  #open = false;
  #closed = false;
  #collected = "";
  #finalizes = 0;
  #finalizeTimer: Timer | undefined;
  #keepAliveTimer: Timer | undefined;
  #connectTimer: Timer | undefined;
  readonly #onAbort: () => void;
  readonly #signal: AbortSignal;

  constructor(name: string, o: DeepgramSttOptions, s: SttStreamOptions) {
    this.#name = name;
    this.#o = o;
    this.#clock = o.clock ?? systemClock;
    this.#signal = s.signal;
    this.#maxPending = Math.ceil((o.maxBufferedMs ?? 5000) / 20);
    const url = deepgramListenUrl(o.baseUrl ?? "wss://api.deepgram.com", {
      model: o.model ?? "nova-3",
      language: deepgramLanguage(s.language),
      sampleRateHz: s.sampleRateHz,
      interimResults: o.interimResults ?? true,
      endpointingMs: o.endpointingMs ?? 300,
      utteranceEndMs: o.utteranceEndMs ?? 1000,
      smartFormat: o.smartFormat ?? true,
    });
    this.#ws = new WebSocket(url, { headers: { Authorization: `Token ${o.apiKey}` } });
    this.#ws.binaryType = "nodebuffer";
    this.#connectTimer = this.#clock.setTimer(o.connectTimeoutMs ?? 5000, () =>
      this.#fail(
        new ProviderError(name, "provider_timeout", `${name} did not connect in time`, { retryable: true }),
      ),
    );
    this.#ws.on("open", () => this.#onOpen());
    this.#ws.on("message", (data, isBinary) => {
      if (!isBinary) this.#onMessage(rawText(data));
    });
    this.#ws.on("unexpected-response", (_req, res) => {
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
        this.#fail(
          new ProviderHttpError(name, res.statusCode ?? 0, parseErrorBody(body), {
            retryAfterMs: retryAfterMsFrom(header, this.#clock.epochMs()),
          }),
        );
      });
    });
    this.#ws.on("error", (error) => this.#fail(connectionLost(name, error)));
    this.#ws.on("close", (code) => this.#onClose(code));
    this.#onAbort = () => this.close();
    if (s.signal.aborted) queueMicrotask(() => this.close());
    else s.signal.addEventListener("abort", this.#onAbort, { once: true });
  }

  write(frame: AudioFrame): void {
    if (this.#closed) return;
    const bytes = frameBytes(frame.samples);
    if (!this.#open) {
      this.#pending.push(bytes);
      if (this.#pending.length > this.#maxPending) {
        const oldest = this.#pending.findIndex((p) => p !== "finalize");
        this.#pending.splice(oldest, 1);
        this.stats.droppedFrames++;
      }
      return;
    }
    this.#ws.send(bytes);
    this.#armKeepAlive();
  }

  finalize(): void {
    if (this.#closed) return;
    this.#finalizes++;
    if (this.#open) {
      this.#control({ type: "Finalize" });
      this.#armFinalizeTimer();
    } else {
      this.#pending.push("finalize");
    }
  }

  async *results(): AsyncIterable<SttResult> {
    for (;;) {
      const item = await this.#channel.next();
      if (item === undefined) return;
      if (item instanceof RingagentError) throw item;
      yield item;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTimers();
    this.#signal.removeEventListener("abort", this.#onAbort);
    this.#channel.close();
    if (this.#ws.readyState === WebSocket.OPEN) {
      // CloseStream lets Deepgram send what it still has and close cleanly; we no longer wait for it.
      this.#control({ type: "CloseStream" });
      const ws = this.#ws;
      this.#clock.setTimer(1000, () => ws.terminate());
    } else {
      this.#ws.terminate();
    }
  }

  #onOpen(): void {
    this.#connectTimer?.cancel();
    if (this.#closed) return;
    this.#open = true;
    for (const item of this.#pending.splice(0)) {
      if (item === "finalize") this.#control({ type: "Finalize" });
      else this.#ws.send(item);
    }
    if (this.#finalizes > 0) this.#armFinalizeTimer();
    this.#armKeepAlive();
  }

  #onMessage(text: string): void {
    const message = parseDeepgramMessage(text);
    if (message === undefined) {
      this.stats.malformedMessages++;
      return;
    }
    switch (message.type) {
      case "Results": {
        const t = message.transcript.trim();
        if (message.isFinal) {
          if (t.length > 0) this.#collected = join(this.#collected, t);
          if (message.fromFinalize && this.#finalizes > 0) this.#emitFinal();
          else if (this.#collected.length > 0) this.#channel.push({ text: this.#collected, final: false });
        } else if (t.length > 0) {
          this.#channel.push({ text: join(this.#collected, t), final: false });
        }
        return;
      }
      case "Metadata":
        this.stats.requestId = message.requestId;
        return;
      case "UtteranceEnd":
      case "SpeechStarted":
        return; // our VAD decides turns
      case "Error":
        this.#fail(
          new ProviderError(this.#name, "stt_provider_error", `${this.#name} reported an error`, {
            retryable: true,
          }),
        );
        return;
    }
  }

  #emitFinal(): void {
    this.#finalizes--;
    this.#channel.push({ text: this.#collected, final: true });
    this.#collected = "";
    this.#finalizeTimer?.cancel();
    this.#finalizeTimer = undefined;
    if (this.#finalizes > 0) this.#armFinalizeTimer();
  }

  #armFinalizeTimer(): void {
    if (this.#finalizeTimer !== undefined) return;
    this.#finalizeTimer = this.#clock.setTimer(this.#o.finalizeTimeoutMs ?? 1500, () => {
      this.#finalizeTimer = undefined;
      if (!this.#closed && this.#finalizes > 0) this.#emitFinal();
    });
  }

  #armKeepAlive(): void {
    this.#keepAliveTimer?.cancel();
    this.#keepAliveTimer = this.#clock.setTimer(this.#o.keepAliveMs ?? 4000, () => {
      if (this.#closed || !this.#open) return;
      this.#control({ type: "KeepAlive" });
      this.stats.keepAlivesSent++;
      this.#armKeepAlive();
    });
  }

  #control(message: DeepgramControl): void {
    this.#ws.send(JSON.stringify(message));
  }

  #onClose(code: number): void {
    if (this.#closed) return;
    // 1008: Deepgram could not decode the audio (DATA-0000): sending it again will not help.
    const retryable = code !== 1008;
    this.#fail(
      new ProviderError(this.#name, "stt_connection_lost", `${this.#name} closed the stream (${code})`, {
        retryable,
      }),
    );
  }

  #fail(error: RingagentError): void {
    if (this.#closed) return;
    this.#channel.push(this.#signal.aborted ? new AbortedError(this.#name) : error);
    this.close();
  }

  #stopTimers(): void {
    this.#connectTimer?.cancel();
    this.#keepAliveTimer?.cancel();
    this.#finalizeTimer?.cancel();
  }
}

function join(a: string, b: string): string {
  return a.length === 0 ? b : `${a} ${b}`;
}

function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data as ArrayBuffer).toString("utf8");
}

function connectionLost(name: string, cause: unknown): ProviderError {
  return new ProviderError(name, "stt_connection_lost", `${name} connection failed`, {
    retryable: true,
    cause,
  });
}
