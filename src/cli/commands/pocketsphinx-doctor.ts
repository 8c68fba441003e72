/**
 * `ringagent doctor` for the offline speech recognizer: one model check per distinct model folder
 * the conversation agents use (resolved exactly as the provider resolves it), then — when main.ts
 * supplies a loader — one check that the native addon loads with that model.
 */
import type { RingagentConfig } from "../../config/index.js";
import type { PocketsphinxModel } from "../../pipeline/index.js";
import { describeError, RingagentError } from "../../shared/index.js";
import type { DoctorCheck } from "./doctor-command.js";
import {
  missingModelParts,
  pocketsphinxModelDir,
  pocketsphinxModelFix,
  pocketsphinxModelIn,
} from "./pocketsphinx-model.js";

/** Builds a recognizer for `model` (loading the addon) and returns something to close. */
export type PocketsphinxLoader = (model: PocketsphinxModel) => { close(): void };

/** The model folders the config's pocketsphinx agents use (deduplicated, in agent order). */
export function pocketsphinxModelDirs(config: RingagentConfig, env: NodeJS.ProcessEnv): string[] {
  const dirs = new Set<string>();
  for (const agent of Object.values(config.agents)) {
    if (agent.kind === "conversation" && agent.stt.provider === "pocketsphinx")
      dirs.add(pocketsphinxModelDir(agent.stt, env));
  }
  return [...dirs];
}

export function pocketsphinxDoctorChecks(
  config: RingagentConfig,
  options: { env: NodeJS.ProcessEnv; load?: PocketsphinxLoader | undefined; addonFix?: string },
): DoctorCheck[] {
  const dirs = pocketsphinxModelDirs(config, options.env);
  const checks: DoctorCheck[] = dirs.map((dir) => ({
    name: "engine pocketsphinx model",
    run: async () => {
      const missing = missingModelParts(pocketsphinxModelIn(dir));
      return missing.length === 0
        ? { status: "pass", detail: `${dir} present` }
        : {
            status: "fail",
            detail: `the en-us model is missing in ${dir} (no ${missing.join(", ")})`,
            fix: pocketsphinxModelFix,
          };
    },
  }));
  const load = options.load;
  const first = dirs[0];
  if (load !== undefined && first !== undefined) {
    checks.push({
      name: "engine pocketsphinx addon",
      run: async () => {
        const model = pocketsphinxModelIn(first);
        if (missingModelParts(model).length > 0)
          return { status: "warn", detail: "not loaded: the model is missing (see the model check)" };
        try {
          load(model).close();
          return { status: "pass", detail: "addon loads, model found" };
        } catch (error) {
          const modelProblem =
            error instanceof RingagentError && error.code === "stt_pocketsphinx_model_missing";
          return {
            status: "fail",
            detail: describeError(error),
            fix: modelProblem
              ? pocketsphinxModelFix
              : (options.addonFix ?? "build the pocketsphinx addon (native/pocketsphinx)"),
          };
        }
      },
    });
  }
  return checks;
}
