import { RingagentError } from "../../shared/index.js";

export type Env = Readonly<Record<string, string | undefined>>;

/** A provider was chosen whose credential is not in the environment; names the variable to set. */
export class MissingCredentialError extends RingagentError {
  readonly envVar: string;

  constructor(what: string, envVar: string) {
    super(
      "provider_credentials_missing",
      `${what} needs a credential: set the environment variable ${envVar}`,
    );
    this.envVar = envVar;
  }
}

/** The credential: `options.apiKey` (already interpolated by the config loader) or the env var. */
export function credential(
  what: string,
  options: { readonly apiKey?: string | undefined; readonly apiKeyEnv?: string | undefined },
  env: Env,
  defaultEnv: string,
): string {
  if (options.apiKey !== undefined && options.apiKey.length > 0) return options.apiKey;
  const name = options.apiKeyEnv ?? defaultEnv;
  const value = env[name];
  if (value === undefined || value.length === 0) throw new MissingCredentialError(what, name);
  return value;
}
