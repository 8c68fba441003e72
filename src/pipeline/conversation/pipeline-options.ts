import type { Clock, Logger } from "../../shared/index.js";
import type { RetryPolicy } from "../base/provider-retry.js";
import type { EndReason, EngineKind } from "../frames/pipeline-frame.js";
import type { ToolCall } from "../history/conversation-history.js";
import type { LlmProvider, ToolSpec } from "../llm/llm-types.js";
import type { SttProvider } from "../stt/stt-types.js";
import type { TtsProvider } from "../tts/tts-types.js";
import type { EchoGuardOptions } from "../turn/echo-guard.js";
import type { Vad } from "../vad/vad-types.js";
import type { CallAudio, PlayoutSink } from "./call-audio.js";

/** Endpointing and turn-level timing (ms of audio unless noted). */
export interface TurnOptions {
  /** Silence after the last voiced frame before the caller's turn may end. */
  readonly endpointSilenceMs: number;
  /** Voiced speech a turn needs; shorter sounds are noise. */
  readonly minSpeechMs: number;
  /** After the silence window, how long to wait for the STT final before using the last partial. */
  readonly sttFinalTimeoutMs: number;
  /** The caller may speak this long before the agent acknowledges (ends the turn for them). */
  readonly maxCallerSpeechMs: number;
  /** Caller silence (agent idle) before a re-prompt. */
  readonly idleRepromptMs: number;
  /** Re-prompts without an answer before the agent says goodbye. */
  readonly maxReprompts: number;
  /** Audio kept from before the VAD start and sent to STT with the speech. */
  readonly preRollMs: number;
}

export const defaultTurnOptions = {
  endpointSilenceMs: 500,
  minSpeechMs: 200,
  sttFinalTimeoutMs: 1500,
  maxCallerSpeechMs: 20_000,
  idleRepromptMs: 8000,
  maxReprompts: 2,
  preRollMs: 300,
} as const satisfies TurnOptions;

export interface BargeInOptions {
  readonly enabled: boolean;
  /**
   * Caller speech during agent playout needed before our audio stops (shorter noises never stop it).
   * One frame past the VAD start window (60 ms): a 60 ms click still never pauses the agent, while
   * the pause comes 80 ms into the speech (design.md: audio stops on the wire <= 150 ms).
   */
  readonly minSpeechMs: number;
  /** After our audio stopped: no words within this long (and the caller quiet) resumes the agent. */
  readonly falseInterruptionMs: number;
  /** Words that never interrupt on their own ("uh-huh", "ok"...), lower case. */
  readonly backchannels: readonly string[];
  /** Words other than backchannels needed to confirm a barge-in. */
  readonly minWords: number;
}

export const defaultBargeInOptions = {
  enabled: true,
  minSpeechMs: 80,
  falseInterruptionMs: 1500,
  backchannels: [
    "uh",
    "huh",
    "uh-huh",
    "mm",
    "hmm",
    "mhm",
    "mm-hmm",
    "yeah",
    "yep",
    "yes",
    "ok",
    "okay",
    "right",
    "sure",
    "alright",
    "i",
    "see",
    "got",
    "it",
    "ah",
    "oh",
  ],
  minWords: 1,
} as const satisfies BargeInOptions;

export type FallbackAction = "transfer" | "take_message" | "end_call";

/** What the agent says and does around the model (design.md "reliable"). */
export interface BehaviourOptions {
  /** Dead air (nothing audible while a reply is pending) before a filler. */
  readonly fillerAfterMs: number;
  readonly fillers: readonly string[];
  /** Fillers in one reply before the reply counts as failed (apology + fallback). */
  readonly maxFillers: number;
  readonly apology: string;
  readonly fallbackAction: FallbackAction;
  readonly reprompt: string;
  readonly idleGoodbye: string;
  /** LLM rounds after tool results in one reply. */
  readonly maxToolRounds: number;
}

export const defaultBehaviourOptions = {
  fillerAfterMs: 1200,
  fillers: ["One moment.", "Still working on it, one moment."],
  maxFillers: 3,
  apology: "I'm sorry, I'm having trouble right now.",
  fallbackAction: "take_message",
  reprompt: "Are you still there?",
  idleGoodbye: "I'll let you go now. Goodbye.",
  maxToolRounds: 3,
} as const satisfies BehaviourOptions;

export interface ToolResult {
  /** What the model is told. */
  readonly content: string;
  /** End the call (ordered: after what is being said) once this reply is spoken. */
  readonly endCall?: boolean;
}

export interface ToolContext {
  readonly signal: AbortSignal;
  /** Resolves when everything queued for the caller so far has played (e.g. before a transfer). */
  afterPlayout(): Promise<void>;
}

/** Runs the model's tool calls; supplied by the agent layer. */
export type ToolHandler = (call: ToolCall, context: ToolContext) => Promise<ToolResult>;

export interface ConversationPipelineOptions {
  readonly callAudio: CallAudio;
  readonly sink: PlayoutSink;
  readonly stt: SttProvider;
  readonly llm: LlmProvider;
  readonly tts: TtsProvider;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly language?: string;
  /** Spoken first; omitted = listen first. */
  readonly greeting?: string;
  /** The system message. */
  readonly instructions?: string;
  readonly tools?: readonly ToolSpec[];
  readonly toolHandler?: ToolHandler;
  readonly vad?: Vad;
  readonly turn?: Partial<TurnOptions>;
  readonly bargeIn?: Partial<BargeInOptions>;
  readonly behaviour?: Partial<BehaviourOptions>;
  readonly echo?: Partial<EchoGuardOptions>;
  readonly retry?: Partial<RetryPolicy>;
}

/** Per-turn figures (ms). Provider figures are undefined when the step did not happen. */
export interface TurnMetrics {
  readonly turnId: number;
  /** Last voiced caller frame -> end-of-turn decision. */
  readonly endpointingMs: number | undefined;
  /** Last voiced caller frame -> STT final. */
  readonly sttFinalMs: number | undefined;
  /** LLM request -> first token. */
  readonly llmFirstTokenMs: number | undefined;
  /** First sentence sent to TTS -> its first audio. */
  readonly ttsFirstAudioMs: number | undefined;
  /** End-of-turn decision -> first reply frame handed to the sink. */
  readonly endOfTurnToFirstAudioMs: number | undefined;
  /** endOfTurnToFirstAudio minus LLM first token and TTS first audio: the pipeline's own cost. */
  readonly overheadMs: number | undefined;
  readonly fillers: number;
  readonly interrupted: boolean;
}

export interface PipelineEvents {
  /** STT output (caller PII: store it, never log it). */
  transcript: { readonly text: string; readonly final: boolean };
  user_turn: { readonly turnId: number; readonly text: string; readonly reason: "endpoint" | "max_speech" };
  /** A sentence the agent is about to say. */
  agent_text: { readonly text: string; readonly kind: string };
  /** Wire-to-wire hook: the first frame of an agent utterance was handed to the sink. */
  agent_audio_started: { readonly utteranceId: string; readonly kind: string; readonly atMs: number };
  caller_speech: { readonly speaking: boolean; readonly atMs: number };
  interrupt: { readonly heardText: string; readonly playedMs: number };
  /** Barge-in candidate that turned out to be a backchannel or noise: the agent resumed. */
  resumed: { readonly playedMs: number };
  turn_metrics: TurnMetrics;
  engine_error: { readonly engine: EngineKind; readonly code: string };
  ended: { readonly reason: EndReason; readonly fallbackAction: FallbackAction | undefined };
}
