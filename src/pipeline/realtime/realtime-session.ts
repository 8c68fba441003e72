/**
 * Speech-to-speech through OpenAI Realtime, as the pipeline sees it: caller frames in (at the
 * pipeline rate, resampled frame by frame to the API's 24 kHz), agent audio out as 20 ms frames at
 * the pipeline rate, transcripts of both sides, tool calls, and our barge-in: when the caller starts
 * speaking the pipeline stops playout and calls interrupt(playedMs) with its playout position, which
 * cancels the response and truncates the assistant item to audio_end_ms = what the caller heard (so
 * the model's context holds only that). Audio of an interrupted item arriving later is dropped.
 * One session per call; the agent mode that uses it is wired by the agent layer.
 */
import { type AudioFrame, Resampler, type ResamplerRateHz, samplesPerFrame } from "../../media/index.js";
import { type Clock, RingagentError } from "../../shared/index.js";
import { ProviderError } from "../base/provider-retry.js";
import { TypedEmitter } from "../base/typed-emitter.js";
import type { ToolSpec } from "../llm/llm-types.js";
import { frameBytes, isResamplerRate, PcmFramer } from "../provider-setup/pcm-framer.js";
import { RealtimeClient } from "./realtime-client.js";
import {
  appendAudio,
  cancelResponse,
  createResponse,
  functionCallOutput,
  type RealtimeServerEvent,
  sessionUpdate,
  truncateItem,
} from "./realtime-events.js";

/** The Realtime API's PCM16 rate, both directions. */
export const realtimeRateHz = 24_000;

export interface RealtimeSessionOptions {
  readonly apiKey: string;
  readonly baseUrl?: string;
  /** Default gpt-realtime. */
  readonly model?: string;
  readonly protocol?: "ga" | "beta";
  /** Default "marin" (GA) / "alloy" (beta). */
  readonly voice?: string;
  readonly instructions: string;
  readonly tools: readonly ToolSpec[];
  /** BCP 47 language of the agent (e.g. "ru-RU"). */
  readonly language: string;
  readonly transcriptionModel?: string;
  readonly turnDetection?: "server_vad" | "semantic_vad";
  /** The pipeline's rate (8, 16, 24 or 48 kHz). */
  readonly sampleRateHz: number;
  readonly connectTimeoutMs?: number;
  readonly clock?: Clock;
}

export interface RealtimeSessionEvents {
  agent_audio: { readonly itemId: string; readonly frame: AudioFrame };
  agent_transcript: { readonly itemId: string; readonly delta: string };
  caller_transcript: { readonly itemId: string; readonly text: string };
  /** Server VAD heard the caller start: stop playout and call interrupt(playedMs). */
  caller_speech_started: { readonly audioStartMs: number | undefined };
  tool_call: {
    readonly callId: string;
    readonly name: string;
    readonly arguments: Readonly<Record<string, unknown>>;
  };
  response_done: { readonly responseId: string; readonly status: string };
  /** An error event from the server (the session goes on). */
  error: RingagentError;
  /** The connection was lost (retryable) — the session is over. */
  closed: RingagentError;
}

export class RealtimeSession {
  readonly events = new TypedEmitter<RealtimeSessionEvents>();
  readonly #o: RealtimeSessionOptions;
  readonly #client: RealtimeClient;
  readonly #toApi: Resampler | undefined;
  readonly #fromApi: PcmFramer;
  #activeResponse: string | undefined;
  /** The assistant audio item being received, and how much of it (ms at 24 kHz). */
  #audioItem: string | undefined;
  #audioItemMs = 0;
  readonly #interrupted = new Set<string>();

  constructor(options: RealtimeSessionOptions) {
    if (!isResamplerRate(options.sampleRateHz)) {
      throw new RingagentError(
        "pipeline_rate_unsupported",
        `realtime needs 8, 16, 24 or 48 kHz, not ${options.sampleRateHz}`,
      );
    }
    this.#o = options;
    this.#client = new RealtimeClient({
      apiKey: options.apiKey,
      model: options.model ?? "gpt-realtime",
      ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}),
      ...(options.protocol !== undefined ? { protocol: options.protocol } : {}),
      ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      ...(options.clock !== undefined ? { clock: options.clock } : {}),
    });
    const rate = options.sampleRateHz as ResamplerRateHz;
    this.#toApi = rate === realtimeRateHz ? undefined : new Resampler(rate, realtimeRateHz);
    this.#fromApi = new PcmFramer(realtimeRateHz, rate);
    this.#client.onEvent = (e) => this.#onEvent(e);
    this.#client.onLost = (e) => this.events.emit("closed", e);
  }

  get malformedEvents(): number {
    return this.#client.malformedEvents;
  }

  /** Connects and configures the session (instructions, voice, tools, audio formats, VAD). */
  async connect(signal: AbortSignal): Promise<void> {
    await this.#client.connect(signal);
    const o = this.#o;
    const protocol = o.protocol ?? "ga";
    this.#client.send(
      sessionUpdate({
        protocol,
        model: o.model ?? "gpt-realtime",
        instructions: o.instructions,
        voice: o.voice ?? (protocol === "ga" ? "marin" : "alloy"),
        tools: o.tools,
        language: o.language.split(/[-_]/)[0]?.toLowerCase() ?? "en",
        transcriptionModel: o.transcriptionModel ?? "gpt-4o-mini-transcribe",
        turnDetection: o.turnDetection ?? "server_vad",
      }),
    );
  }

  /** Caller audio (20 ms at the pipeline rate). */
  writeCallerAudio(frame: AudioFrame): void {
    const out = this.#toApi === undefined ? frame : this.#toApi.process(frame);
    this.#client.send(appendAudio(frameBytes(out.samples)));
  }

  /** Asks the model to speak now (e.g. the greeting), optionally with one-off instructions. */
  respond(instructions?: string): void {
    this.#client.send(createResponse(instructions));
  }

  /**
   * Barge-in: `playedMs` is how much of the current agent item left on the wire (our playout
   * position). Cancels the response if one is running and truncates the item to that position.
   */
  interrupt(playedMs: number): void {
    if (this.#activeResponse !== undefined) this.#client.send(cancelResponse());
    const item = this.#audioItem;
    if (item === undefined) return;
    this.#fromApi.flush(); // a partial frame of the cut item is dropped
    this.#interrupted.add(item);
    const audioEndMs = Math.max(0, Math.min(Math.round(playedMs), Math.floor(this.#audioItemMs)));
    this.#client.send(truncateItem(item, audioEndMs));
    this.#audioItem = undefined;
  }

  /** The result of a tool call goes back to the model, which then answers. */
  sendToolResult(callId: string, output: string): void {
    this.#client.send(functionCallOutput(callId, output));
    this.#client.send(createResponse());
  }

  close(): void {
    this.#client.close();
  }

  #onEvent(e: RealtimeServerEvent): void {
    switch (e.type) {
      case "response.created":
        this.#activeResponse = e.responseId;
        return;
      case "response.done":
        if (this.#activeResponse === e.responseId) this.#activeResponse = undefined;
        for (const frame of this.#fromApi.flush()) this.#emitAudio(this.#audioItem, frame);
        this.events.emit("response_done", { responseId: e.responseId, status: e.status });
        return;
      case "audio_delta": {
        if (this.#interrupted.has(e.itemId)) return;
        if (this.#audioItem !== e.itemId) {
          for (const frame of this.#fromApi.flush()) this.#emitAudio(this.#audioItem, frame);
          this.#audioItem = e.itemId;
          this.#audioItemMs = 0;
        }
        this.#audioItemMs += (e.audio.length / 2 / realtimeRateHz) * 1000;
        for (const frame of this.#fromApi.push(e.audio)) this.#emitAudio(e.itemId, frame);
        return;
      }
      case "transcript_delta":
        if (!this.#interrupted.has(e.itemId))
          this.events.emit("agent_transcript", { itemId: e.itemId, delta: e.delta });
        return;
      case "caller_transcript":
        this.events.emit("caller_transcript", { itemId: e.itemId, text: e.transcript });
        return;
      case "speech_started":
        // interrupt_response is on: the server cancels the running response itself, and a
        // response.cancel of ours would only earn a response_cancel_not_active error.
        this.#activeResponse = undefined;
        this.events.emit("caller_speech_started", { audioStartMs: e.audioStartMs });
        return;
      case "function_call": {
        let args: unknown;
        try {
          args = JSON.parse(e.arguments);
        } catch {
          args = undefined;
        }
        if (args === null || typeof args !== "object" || Array.isArray(args)) {
          this.#client.send(
            functionCallOutput(e.callId, JSON.stringify({ error: "arguments were not a JSON object" })),
          );
          return;
        }
        this.events.emit("tool_call", {
          callId: e.callId,
          name: e.name,
          arguments: args as Record<string, unknown>,
        });
        return;
      }
      case "error":
        this.events.emit(
          "error",
          new ProviderError(
            this.#client.name,
            "realtime_error",
            `${this.#client.name} error ${e.code ?? e.errorType ?? ""}`.trim(),
          ),
        );
        return;
      case "session.created":
      case "session.updated":
      case "speech_stopped":
      case "item_truncated":
      case "ignored":
        return;
    }
  }

  #emitAudio(itemId: string | undefined, frame: AudioFrame): void {
    if (itemId === undefined || frame.samples.length !== samplesPerFrame(this.#o.sampleRateHz)) return;
    this.events.emit("agent_audio", { itemId, frame });
  }
}
