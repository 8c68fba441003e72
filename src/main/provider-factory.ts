/** The conversation agents' speech and language providers, as `start` and `simulate` build them. */

import type { ConversationAgentConfig, ProviderFactory } from "../agent/index.js";
import { pocketsphinxModelDir, pocketsphinxModelIn } from "../cli/index.js";
import {
  CachingTtsProvider,
  createLlmProvider,
  createSttProvider,
  createTtsProvider,
  EspeakTtsProvider,
  FliteTtsProvider,
  type FliteVoice,
  loadConversationScript,
  PocketsphinxSttProvider,
  type ProviderContext,
  ScriptLlmProvider,
  type SttProvider,
  scriptVocabulary,
  type TtsProvider,
} from "../pipeline/index.js";
import { systemClock } from "../shared/index.js";

/**
 * Providers from the agent's config through the pipeline's provider selection (OpenAI-compatible,
 * Deepgram, ElevenLabs, llama-cpp, fallbacks...), with the offline engines as builtins: one
 * pocketsphinx per process, flite per agent, a script LLM per call. Every agent's TTS is cached, so
 * its greeting and fixed phrases play at once.
 */
export function providerFactory(
  options: { env?: NodeJS.ProcessEnv; ttsCacheDir?: string } = {},
): ProviderFactory {
  // One recognizer per model folder (stt.modelDir, else RINGAGENT_POCKETSPHINX_MODEL_DIR, else
  // Debian's) and script.
  const sphinx = new Map<string, PocketsphinxSttProvider>();
  const scripts = new Map<string, ReturnType<typeof loadConversationScript>>();
  const shared = new Map<ConversationAgentConfig, { stt: SttProvider; tts: TtsProvider }>();
  const text = (o: Readonly<Record<string, unknown>>, name: string): string | undefined => {
    const v = o[name];
    return typeof v === "string" ? v : undefined;
  };
  const loadScript = (path: string): ReturnType<typeof loadConversationScript> => {
    let script = scripts.get(path);
    if (script === undefined) {
      script = path.length > 0 ? loadConversationScript(path) : loadConversationScript();
      scripts.set(path, script);
    }
    return script;
  };
  const context = (agent: ConversationAgentConfig, kind: string): ProviderContext => ({
    env: options.env ?? process.env,
    clock: systemClock,
    language: agent.language,
    instructions: agent.instructions,
    field: `agents.<agent>.${kind}`,
    builtins: {
      stt: {
        pocketsphinx: (o) => {
          const dir = pocketsphinxModelDir(o, options.env ?? process.env);
          // With the script LLM, recognition listens for the script's phrases (a small language
          // model, several times less CPU); `stt.languageModel: full` keeps the 130k-word model.
          const scriptPath =
            agent.llm.provider === "script" && text(o, "languageModel") !== "full"
              ? (text(agent.llm, "script") ?? "")
              : undefined;
          const key = `${dir}\n${scriptPath ?? "(full)"}`;
          let provider = sphinx.get(key);
          if (provider === undefined) {
            const phrases = scriptPath === undefined ? undefined : scriptVocabulary(loadScript(scriptPath));
            const below = o.fullModelBelowConfidence;
            provider = new PocketsphinxSttProvider({
              model: pocketsphinxModelIn(dir),
              ...(phrases !== undefined ? { phrases } : {}),
              ...(typeof below === "number" ? { fullModelBelowConfidence: below } : {}),
            });
            sphinx.set(key, provider);
          }
          return provider;
        },
      },
      tts: {
        flite: (o) => new FliteTtsProvider({ voice: (text(o, "voice") ?? "slt") as FliteVoice }),
        "espeak-ng": (o) => new EspeakTtsProvider({ voice: text(o, "voice") ?? "ru" }),
      },
      llm: {
        script: (o) => new ScriptLlmProvider(loadScript(text(o, "script") ?? "")),
      },
    },
  });
  return {
    shared(agent: ConversationAgentConfig) {
      let engines = shared.get(agent);
      if (engines === undefined) {
        const tts = new CachingTtsProvider(
          createTtsProvider(agent.tts, context(agent, "tts")),
          options.ttsCacheDir === undefined ? {} : { dir: options.ttsCacheDir },
        );
        engines = { stt: createSttProvider(agent.stt, context(agent, "stt")), tts };
        shared.set(agent, engines);
      }
      return engines;
    },
    llm: (agent: ConversationAgentConfig) => createLlmProvider(agent.llm, context(agent, "llm")),
  };
}
