export { type TurnConfig, type VadConfig, vadKinds } from "./agent-turn-schema.js";
export { formatListenSpec, type ListenSpec, parseListenSpec } from "./listen-spec.js";
export { defaultConfigText, type LoadConfigOptions, loadConfig } from "./load-config.js";
export {
  type AgentConfig,
  codecNames,
  configSchema,
  type LineConfig,
  type RingagentConfig,
  secretFields,
  toolNames,
} from "./schema.js";
