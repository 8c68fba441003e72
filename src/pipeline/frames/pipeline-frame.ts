/**
 * Everything that moves through a call's pipeline is a frame (Pipecat's model). System frames take
 * the priority lane and overtake queued data; data frames are processed in order and, except those
 * marked to survive, are dropped when the caller interrupts the response they belong to.
 *
 * `end` (say goodbye, then hang up) is ordered: it travels in the data lane behind the goodbye and
 * survives interruption. `cancel` (the caller hung up) is immediate: priority lane.
 */
import type { AudioFrame } from "../../media/index.js";
import type { RingagentError } from "../../shared/index.js";
import type { ToolCall } from "../history/conversation-history.js";
import type { SttResult } from "../stt/stt-types.js";
import type { WordTiming } from "../turn/heard-text.js";

export type EngineKind = "stt" | "llm" | "tts" | "tool";

export type EndReason =
  | "agent_ended"
  | "caller_idle"
  | "engine_failure"
  | "caller_hangup"
  | "cancelled"
  | "tool";

export type PipelineFrame =
  // --- system lane (priority) ---
  | { readonly kind: "caller_started_speaking"; readonly atMs: number }
  | { readonly kind: "caller_stopped_speaking"; readonly atMs: number; readonly lastVoicedAtMs: number }
  | {
      readonly kind: "interrupt";
      readonly responseId: number;
      readonly heardText: string;
      readonly playedMs: number;
    }
  | { readonly kind: "cancel"; readonly reason: EndReason }
  | {
      readonly kind: "engine_error";
      readonly engine: EngineKind;
      readonly responseId: number | undefined;
      readonly speechId: number | undefined;
      readonly error: RingagentError;
    }
  // --- data lane (ordered) ---
  | { readonly kind: "caller_audio"; readonly frame: AudioFrame; readonly atMs: number }
  | { readonly kind: "transcript"; readonly result: SttResult; readonly atMs: number }
  | { readonly kind: "user_turn"; readonly text: string; readonly reason: "endpoint" | "max_speech" }
  | { readonly kind: "llm_text"; readonly responseId: number; readonly text: string }
  | { readonly kind: "llm_tool_call"; readonly responseId: number; readonly call: ToolCall }
  | { readonly kind: "llm_done"; readonly responseId: number }
  | {
      readonly kind: "tool_result";
      readonly responseId: number;
      readonly call: ToolCall;
      readonly content: string;
      readonly endCall: boolean;
    }
  | { readonly kind: "tts_audio"; readonly speechId: number; readonly frame: AudioFrame }
  | {
      readonly kind: "tts_sentence_done";
      readonly speechId: number;
      readonly text: string;
      readonly words: readonly WordTiming[] | undefined;
    }
  | { readonly kind: "tts_done"; readonly speechId: number }
  | {
      readonly kind: "playout_done";
      readonly speechId: number;
      readonly handleSerial: number;
      readonly completed: boolean;
    }
  | { readonly kind: "timer"; readonly timer: PipelineTimerKind; readonly serial: number }
  | { readonly kind: "end"; readonly reason: EndReason; readonly goodbye: string | undefined };

export type PipelineTimerKind = "filler" | "idle" | "false_interruption" | "max_speech";

export type PipelineFrameKind = PipelineFrame["kind"];

export type Lane = "system" | "data";

/** Which lane a frame travels in (exhaustive: a new kind must choose). */
export function laneOf(kind: PipelineFrameKind): Lane {
  switch (kind) {
    case "caller_started_speaking":
    case "caller_stopped_speaking":
    case "interrupt":
    case "cancel":
    case "engine_error":
      return "system";
    case "caller_audio":
    case "transcript":
    case "user_turn":
    case "llm_text":
    case "llm_tool_call":
    case "llm_done":
    case "tool_result":
    case "tts_audio":
    case "tts_sentence_done":
    case "tts_done":
    case "playout_done":
    case "timer":
    case "end":
      return "data";
  }
}

/** Data frames that an interruption must not drop: tool results (the action happened) and `end`. */
export function survivesInterruption(frame: PipelineFrame): boolean {
  return frame.kind === "tool_result" || frame.kind === "end" || laneOf(frame.kind) === "system";
}
