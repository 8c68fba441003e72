/**
 * `ringagent simulate --agent NAME (--in CALLER.wav | --text LINE... | lines on stdin) [--out AGENT.wav]
 * [--stereo] [--realtime]`: talks to a conversation agent without telephony. The caller WAV (any rate)
 * is resampled to the pipeline rate; text lines bypass STT. Prints the turns (caller -> agent) with
 * per-turn latency and writes the agent's audio, time-aligned with the caller's, to --out (stereo:
 * caller left, agent right).
 */
import { writeFile } from "node:fs/promises";
import {
  type ConversationAgentConfig,
  type SimulationInput,
  type SimulationResult,
  simulationRateHz,
} from "../../agent/index.js";
import type { RingagentConfig } from "../../config/index.js";
import { toFrames } from "../../pipeline/index.js";
import { describeError } from "../../shared/index.js";
import { encodeWav, readWavFile } from "../../store/index.js";

export interface SimulateRequest {
  readonly agent: string | undefined;
  readonly in: string | undefined;
  readonly out: string | undefined;
  /** --text lines (repeatable); empty with no --in: lines are read from stdin. */
  readonly texts: readonly string[];
  readonly stereo: boolean;
  readonly realtime: boolean;
}

/** What the command needs of the composition root. */
export interface Simulator {
  run(
    agentName: string,
    agent: ConversationAgentConfig,
    input: SimulationInput,
    pacing: "virtual" | "realtime",
  ): Promise<SimulationResult>;
  readStdin(): Promise<string>;
}

type Io = { out: (text: string) => void; err: (text: string) => void };

/** Exit codes: 0 the conversation ran, 1 it failed, 2 bad usage (no such agent, no input). */
export async function runSimulateCommand(
  config: RingagentConfig,
  request: SimulateRequest,
  simulator: Simulator,
  io: Io,
): Promise<number> {
  const conversational = Object.entries(config.agents).filter(([, a]) => a.kind === "conversation");
  const name = request.agent ?? (conversational.length === 1 ? conversational[0]?.[0] : undefined);
  const agent = name === undefined ? undefined : config.agents[name];
  if (name === undefined || agent === undefined || agent.kind !== "conversation") {
    io.err(
      `ringagent: simulate needs --agent NAME of a conversation agent (${conversational.map(([n]) => n).join(", ") || "none configured"})\n`,
    );
    return 2;
  }
  if (agent.llm.provider === "openai-realtime") {
    io.err(`ringagent: agent ${name} is speech-to-speech (openai-realtime); simulate runs pipeline agents\n`);
    return 2;
  }
  if (request.in !== undefined && request.texts.length > 0) {
    io.err("ringagent: simulate takes --in or --text, not both\n");
    return 2;
  }
  let input: SimulationInput;
  try {
    if (request.in !== undefined) {
      const wav = await readWavFile(request.in);
      const mono = new Int16Array(wav.frames);
      for (let i = 0; i < wav.frames; i++) mono[i] = wav.samples[i * wav.channels] ?? 0;
      input = {
        kind: "audio",
        frames: toFrames({ samples: mono, sampleRateHz: wav.sampleRateHz }, simulationRateHz),
      };
      io.out(
        `caller audio: ${request.in} (${wav.sampleRateHz} Hz, ${(wav.durationMs / 1000).toFixed(1)} s)\n`,
      );
    } else {
      const lines =
        request.texts.length > 0
          ? request.texts
          : (await simulator.readStdin()).split(/\r?\n/).map((l) => l.trim());
      input = { kind: "text", lines: lines.filter((l) => l.length > 0) };
      if (input.lines.length === 0) {
        io.err("ringagent: simulate needs --in CALLER.wav, --text LINE or lines on stdin\n");
        return 2;
      }
    }
  } catch (error) {
    io.err(`ringagent: ${describeError(error)}\n`);
    return 1;
  }

  io.out(
    `agent ${name}: ${agent.language}, stt ${input.kind === "text" ? "bypassed (text)" : agent.stt.provider}, llm ${agent.llm.provider}, tts ${agent.tts.provider}\n`,
  );
  let result: SimulationResult;
  try {
    result = await simulator.run(name, agent, input, request.realtime ? "realtime" : "virtual");
  } catch (error) {
    io.err(`ringagent: the simulation failed: ${describeError(error)}\n`);
    return 1;
  }
  printConversation(result, io);
  if (request.out !== undefined) {
    try {
      await writeFile(request.out, agentWav(result, request.stereo));
      io.out(
        `agent audio: ${request.out} (${request.stereo ? "stereo: caller left, agent right" : "mono"}, ${(result.durationMs / 1000).toFixed(1)} s)\n`,
      );
    } catch (error) {
      io.err(`ringagent: could not write ${request.out}: ${describeError(error)}\n`);
      return 1;
    }
  }
  return 0;
}

function printConversation(result: SimulationResult, io: Io): void {
  if (result.greeting.length > 0) io.out(`agent: ${result.greeting.join(" ")}\n`);
  for (const turn of result.turns) {
    io.out(`caller: ${turn.callerText.length > 0 ? turn.callerText : "(nothing recognized)"}\n`);
    io.out(`agent: ${turn.agentText.length > 0 ? turn.agentText.join(" ") : "(no reply)"}\n`);
    const m = turn.metrics;
    const parts = [
      turn.voiceToVoiceMs === undefined ? undefined : `voice-to-voice ${Math.round(turn.voiceToVoiceMs)} ms`,
      m?.endpointingMs === undefined ? undefined : `endpointing ${Math.round(m.endpointingMs)}`,
      m?.sttFinalMs === undefined ? undefined : `stt final ${Math.round(m.sttFinalMs)}`,
      m?.llmFirstTokenMs === undefined ? undefined : `llm first token ${Math.round(m.llmFirstTokenMs)}`,
      m?.ttsFirstAudioMs === undefined ? undefined : `tts first audio ${Math.round(m.ttsFirstAudioMs)}`,
    ].filter((p) => p !== undefined);
    if (parts.length > 0) io.out(`  turn ${turn.turnId} latency: ${parts.join(", ")}\n`);
  }
  for (const tool of result.tools) io.out(`tool ${tool.name}: ${tool.outcome}\n`);
  io.out(`conversation ended: ${result.end.reason} after ${(result.durationMs / 1000).toFixed(1)} s\n`);
}

function agentWav(result: SimulationResult, stereo: boolean): Buffer {
  if (!stereo) return encodeWav({ channels: 1, sampleRateHz: result.sampleRateHz }, result.agentAudio);
  const both = new Int16Array(result.agentAudio.length * 2);
  for (let i = 0; i < result.agentAudio.length; i++) {
    both[2 * i] = result.callerAudio[i] ?? 0;
    both[2 * i + 1] = result.agentAudio[i] ?? 0;
  }
  return encodeWav({ channels: 2, sampleRateHz: result.sampleRateHz }, both);
}
