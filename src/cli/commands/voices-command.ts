/**
 * `ringagent voices [--agent NAME] [--out DIR]`: the TTS voices each conversation agent can use
 * (its configured voice marked), and with --out a spoken sample per agent as DIR/<agent>.wav.
 * The composition root supplies how voices are listed and samples spoken (CliHandlers.voices).
 */
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { AgentConfig, RingagentConfig } from "../../config/index.js";
import { describeError } from "../../shared/index.js";

export type ConversationAgentConfig = Extract<AgentConfig, { kind: "conversation" }>;

export interface VoicesRequest {
  readonly agent: string | undefined;
  readonly out: string | undefined;
}

/** A voice as listed (the pipeline's VoiceInfo, structurally). */
export interface VoiceEntry {
  readonly provider: string;
  readonly id: string;
  readonly name: string;
  readonly languages: readonly string[];
  readonly defaultFor: readonly string[];
}

/** What the command needs of the providers (main.ts: listVoices / speakSample). */
export interface VoiceCatalog {
  list(agent: ConversationAgentConfig): Promise<VoiceEntry[]>;
  /** Speaks `text` with the agent's TTS into `outWav`. */
  speak(
    agent: ConversationAgentConfig,
    text: string,
    outWav: string,
  ): Promise<{ durationMs: number; firstAudioMs: number | undefined }>;
}

function field(options: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = options[name];
  return typeof value === "string" ? value : undefined;
}

/** Exit codes: 0 ok, 1 a listing or sample failed, 2 no such conversation agent. */
export async function runVoicesCommand(
  config: RingagentConfig,
  request: VoicesRequest,
  catalog: VoiceCatalog,
  io: { out: (text: string) => void; err: (text: string) => void },
): Promise<number> {
  const agents = Object.entries(config.agents).flatMap(([name, agent]) =>
    agent.kind === "conversation" && (request.agent === undefined || request.agent === name)
      ? [{ name, agent }]
      : [],
  );
  if (agents.length === 0) {
    io.err(
      request.agent === undefined
        ? "ringagent: no conversation agents configured\n"
        : `ringagent: no conversation agent named ${request.agent}\n`,
    );
    return 2;
  }
  const outDir = request.out === undefined ? undefined : resolve(request.out);
  if (outDir !== undefined) await mkdir(outDir, { recursive: true });
  let failures = 0;
  for (const { name, agent } of agents) {
    if (agent.llm.provider === "openai-realtime") {
      const voice = field(agent.llm, "voice") ?? "the model's default";
      io.out(`agent ${name}: speech-to-speech (openai-realtime), voice ${voice}; no TTS sample\n`);
      continue;
    }
    const configured = field(agent.tts, "voice");
    io.out(`agent ${name}: tts ${agent.tts.provider}, language ${agent.language}\n`);
    try {
      const voices = await catalog.list(agent);
      const language = agent.language.split(/[-_]/)[0]?.toLowerCase() ?? "";
      for (const v of voices) {
        const chosen =
          configured === undefined
            ? v.defaultFor.some((l) => l.toLowerCase() === language)
            : v.id === configured;
        const extra = [
          v.name === v.id ? undefined : v.name,
          v.languages.length > 0 ? `languages ${v.languages.join(",")}` : undefined,
          v.defaultFor.length > 0 ? `default for ${v.defaultFor.join(",")}` : undefined,
        ].filter((s) => s !== undefined);
        io.out(`  ${chosen ? "*" : " "} ${v.id}${extra.length > 0 ? `  (${extra.join("; ")})` : ""}\n`);
      }
      if (voices.length === 0) io.out("    (this provider does not list its voices)\n");
    } catch (error) {
      failures++;
      io.out(`  could not list the voices: ${describeError(error)}\n`);
    }
    if (outDir === undefined) continue;
    const path = join(outDir, `${name}.wav`);
    try {
      const text = agent.greeting.length > 0 ? agent.greeting : `This is the voice of ${name}.`;
      const sample = await catalog.speak(agent, text, path);
      const first =
        sample.firstAudioMs === undefined ? "" : `, first audio after ${Math.round(sample.firstAudioMs)} ms`;
      io.out(`  sample: ${path} (${(sample.durationMs / 1000).toFixed(1)} s${first})\n`);
    } catch (error) {
      failures++;
      io.out(`  could not speak a sample: ${describeError(error)}\n`);
    }
  }
  return failures === 0 ? 0 : 1;
}
