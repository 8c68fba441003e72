import { parseArgs } from "node:util";
import { type LoadConfigOptions, loadConfig, type RingagentConfig } from "../config/index.js";
import { ConfigError, describeError } from "../shared/index.js";

/** What the CLI needs from the composition root (main.ts); injected so the CLI stays testable. */
export interface CliHandlers {
  /** Starts the service and resolves when it has stopped. */
  start(config: RingagentConfig, options: { configPath: string | undefined }): Promise<void>;
}

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  version: string;
}

export const usage = `Usage: ringagent <command> [options]

Commands:
  start              start the agent on the configured lines (default: the local line on 127.0.0.1)
  check-config       validate the configuration and print the lines and agents

Options:
  -c, --config FILE  configuration file (YAML); default ./ringagent.yaml when it exists,
                     otherwise the built-in local line with the offline receptionist
  -h, --help         show this help
  -v, --version      print the version

Environment:
  RINGAGENT_LOG_LEVEL, RINGAGENT_HTTP_LISTEN, RINGAGENT_API_TOKEN, and any \${VAR} your config uses.
  See ringagent.example.yaml for every option.
`;

/** Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error. */
export async function runCli(argv: readonly string[], handlers: CliHandlers, io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parseCliArgs>;
  try {
    parsed = parseCliArgs(argv);
  } catch (error) {
    io.err(`ringagent: ${describeError(error).replace(/^TypeError[^:]*: /, "")}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.out(usage);
    return 0;
  }
  if (values.version === true) {
    io.out(`${io.version}\n`);
    return 0;
  }
  const command = positionals[0];
  if (command === undefined) {
    io.err(`ringagent: no command given\n\n${usage}`);
    return 2;
  }
  if (command !== "start" && command !== "check-config") {
    io.err(`ringagent: unknown command "${command}"\n\n${usage}`);
    return 2;
  }

  const configPath = values.config ?? (await defaultConfigPath());
  let config: RingagentConfig;
  try {
    const options: LoadConfigOptions = { env: io.env };
    if (configPath !== undefined) options.path = configPath;
    config = loadConfig(options);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`ringagent: ${error.message}\n`);
      return 2;
    }
    throw error;
  }

  if (command === "check-config") {
    io.out(`configuration ok (${configPath ?? "built-in default"})\n`);
    for (const line of config.lines) io.out(`  line ${line.name} (${line.kind}) -> agent ${line.agent}\n`);
    return 0;
  }
  try {
    await handlers.start(config, { configPath });
    return 0;
  } catch (error) {
    io.err(`ringagent: ${describeError(error)}\n`);
    return 1;
  }
}

function parseCliArgs(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      config: { type: "string", short: "c" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
    },
  });
}

async function defaultConfigPath(): Promise<string | undefined> {
  const { access } = await import("node:fs/promises");
  try {
    await access("ringagent.yaml");
    return "ringagent.yaml";
  } catch {
    return undefined;
  }
}
