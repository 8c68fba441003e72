/**
 * The OpenAI Realtime API event model (WebSocket JSON text frames), from the public API reference.
 * Both the GA names (response.output_audio.delta, response.output_audio_transcript.delta) and the
 * beta names (response.audio.delta, response.audio_transcript.delta) are accepted. Client events are
 * built as objects here and serialized by the client; server events are parsed into a closed union,
 * anything malformed or unknown being undefined (counted by the caller, never thrown).
 */
import type { ToolSpec } from "../llm/llm-types.js";

export type RealtimeServerEvent =
  | { readonly type: "session.created" | "session.updated" }
  | {
      readonly type: "error";
      readonly errorType: string | undefined;
      readonly code: string | undefined;
      readonly message: string | undefined;
    }
  | {
      readonly type: "speech_started";
      readonly audioStartMs: number | undefined;
      readonly itemId: string | undefined;
    }
  | { readonly type: "speech_stopped" }
  | { readonly type: "caller_transcript"; readonly itemId: string; readonly transcript: string }
  | { readonly type: "response.created"; readonly responseId: string }
  | {
      readonly type: "audio_delta";
      readonly responseId: string;
      readonly itemId: string;
      readonly audio: Buffer;
    }
  | { readonly type: "transcript_delta"; readonly itemId: string; readonly delta: string }
  | {
      readonly type: "function_call";
      readonly callId: string;
      readonly name: string;
      readonly arguments: string;
      readonly itemId: string | undefined;
    }
  | { readonly type: "response.done"; readonly responseId: string; readonly status: string }
  | { readonly type: "item_truncated"; readonly itemId: string; readonly audioEndMs: number }
  | { readonly type: "ignored"; readonly name: string };

const rec = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

const ignoredEvents = new Set([
  "input_audio_buffer.committed",
  "input_audio_buffer.cleared",
  "conversation.item.created",
  "conversation.item.added",
  "conversation.item.done",
  "conversation.item.input_audio_transcription.delta",
  "response.output_item.added",
  "response.output_item.done",
  "response.content_part.added",
  "response.content_part.done",
  "response.audio.done",
  "response.output_audio.done",
  "response.audio_transcript.done",
  "response.output_audio_transcript.done",
  "response.text.delta",
  "response.output_text.delta",
  "response.text.done",
  "response.output_text.done",
  "response.function_call_arguments.delta",
  "rate_limits.updated",
  "output_audio_buffer.started",
  "output_audio_buffer.stopped",
  "output_audio_buffer.cleared",
]);

export function parseRealtimeEvent(text: string): RealtimeServerEvent | undefined {
  let e: Record<string, unknown> | undefined;
  try {
    e = rec(JSON.parse(text));
  } catch {
    return undefined;
  }
  const type = str(e?.type);
  if (e === undefined || type === undefined) return undefined;
  switch (type) {
    case "session.created":
    case "session.updated":
      return { type };
    case "error": {
      const err = rec(e.error);
      return { type: "error", errorType: str(err?.type), code: str(err?.code), message: str(err?.message) };
    }
    case "input_audio_buffer.speech_started":
      return { type: "speech_started", audioStartMs: num(e.audio_start_ms), itemId: str(e.item_id) };
    case "input_audio_buffer.speech_stopped":
      return { type: "speech_stopped" };
    case "conversation.item.input_audio_transcription.completed": {
      const itemId = str(e.item_id);
      const transcript = str(e.transcript);
      return itemId !== undefined && transcript !== undefined
        ? { type: "caller_transcript", itemId, transcript }
        : undefined;
    }
    case "response.created": {
      const responseId = str(rec(e.response)?.id);
      return responseId !== undefined ? { type: "response.created", responseId } : undefined;
    }
    case "response.audio.delta":
    case "response.output_audio.delta": {
      const responseId = str(e.response_id);
      const itemId = str(e.item_id);
      const delta = str(e.delta);
      if (responseId === undefined || itemId === undefined || delta === undefined) return undefined;
      return { type: "audio_delta", responseId, itemId, audio: Buffer.from(delta, "base64") };
    }
    case "response.audio_transcript.delta":
    case "response.output_audio_transcript.delta": {
      const itemId = str(e.item_id);
      const delta = str(e.delta);
      return itemId !== undefined && delta !== undefined
        ? { type: "transcript_delta", itemId, delta }
        : undefined;
    }
    case "response.function_call_arguments.done": {
      const callId = str(e.call_id);
      const name = str(e.name);
      const args = str(e.arguments);
      if (callId === undefined || name === undefined || args === undefined) return undefined;
      return { type: "function_call", callId, name, arguments: args, itemId: str(e.item_id) };
    }
    case "response.done": {
      const response = rec(e.response);
      const responseId = str(response?.id);
      return responseId !== undefined
        ? { type: "response.done", responseId, status: str(response?.status) ?? "completed" }
        : undefined;
    }
    case "conversation.item.truncated": {
      const itemId = str(e.item_id);
      const audioEndMs = num(e.audio_end_ms);
      return itemId !== undefined && audioEndMs !== undefined
        ? { type: "item_truncated", itemId, audioEndMs }
        : undefined;
    }
    default:
      return ignoredEvents.has(type) ? { type: "ignored", name: type } : undefined;
  }
}

// ---------------------------------------------------------------------------------------- client

export interface RealtimeSessionConfig {
  readonly protocol: "ga" | "beta";
  readonly model: string;
  readonly instructions: string;
  readonly voice: string;
  readonly tools: readonly ToolSpec[];
  /** ISO 639-1 language of the caller, for input transcription. */
  readonly language: string;
  readonly transcriptionModel: string;
  readonly turnDetection: "server_vad" | "semantic_vad";
}

/** session.update in the GA or beta shape; audio is PCM16 mono 24 kHz both ways. */
export function sessionUpdate(c: RealtimeSessionConfig): Record<string, unknown> {
  const tools = c.tools.map((t) => ({
    type: "function",
    name: t.name,
    description: t.description,
    parameters: t.parameters,
  }));
  const turnDetection = { type: c.turnDetection, create_response: true, interrupt_response: true };
  const transcription = { model: c.transcriptionModel, language: c.language };
  if (c.protocol === "beta") {
    return {
      type: "session.update",
      session: {
        modalities: ["audio", "text"],
        instructions: c.instructions,
        voice: c.voice,
        input_audio_format: "pcm16",
        output_audio_format: "pcm16",
        input_audio_transcription: transcription,
        turn_detection: turnDetection,
        tools,
        tool_choice: "auto",
      },
    };
  }
  const format = { type: "audio/pcm", rate: 24_000 };
  return {
    type: "session.update",
    session: {
      type: "realtime",
      model: c.model,
      instructions: c.instructions,
      output_modalities: ["audio"],
      audio: {
        input: { format, transcription, turn_detection: turnDetection },
        output: { format, voice: c.voice },
      },
      tools,
      tool_choice: "auto",
    },
  };
}

export const appendAudio = (pcm: Uint8Array) => ({
  type: "input_audio_buffer.append",
  audio: Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).toString("base64"),
});

export const truncateItem = (itemId: string, audioEndMs: number) => ({
  type: "conversation.item.truncate",
  item_id: itemId,
  content_index: 0,
  audio_end_ms: audioEndMs,
});

export const cancelResponse = () => ({ type: "response.cancel" });

export const functionCallOutput = (callId: string, output: string) => ({
  type: "conversation.item.create",
  item: { type: "function_call_output", call_id: callId, output },
});

export const createResponse = (instructions?: string) =>
  instructions === undefined
    ? { type: "response.create" }
    : { type: "response.create", response: { instructions } };
