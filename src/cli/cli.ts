import { parseArgs } from "node:util";
import { type LoadConfigOptions, loadConfig, type RingagentConfig } from "../config/index.js";
import { ConfigError, describeError } from "../shared/index.js";
import type { CallStore } from "../store/index.js";
import { listCallsCommand, showCallCommand } from "./commands/calls-command.js";
import { type DoctorCheck, runDoctor } from "./commands/doctor-command.js";
import type { SimulateRequest } from "./commands/simulate-command.js";
import type { VoicesRequest } from "./commands/voices-command.js";

/** A request for `ringagent call`: one outbound test call. */
export interface CallRequest {
  target: string;
  line: string | undefined;
  play: string | undefined;
  record: string | undefined;
}

/** `ringagent emulator` options: where the emulated Existing Phone's sip-info points. */
export interface EmulatorRequest {
  /** HTTP port of the emulator (0: a free port). */
  port: number;
  /** TLS proxy `host:port` handed out in sip-info (a local registrar such as Kamailio). */
  sipTls: string | undefined;
  sipUser: string | undefined;
  sipPassword: string | undefined;
}

/** What the CLI needs from the composition root (main.ts); injected so the CLI stays testable. */
export interface CliHandlers {
  /** Starts the service and resolves when it has stopped. */
  start(config: RingagentConfig, options: { configPath: string | undefined }): Promise<void>;
  openStore(config: RingagentConfig): Promise<CallStore>;
  doctorChecks(config: RingagentConfig): DoctorCheck[];
  /** Places one call; resolves with the exit code. Absent until telephony provides it. */
  placeCall?(config: RingagentConfig, request: CallRequest, io: CliIo): Promise<number>;
  /** Runs the RingCentral emulator until interrupted; resolves with the exit code. */
  emulator?(request: EmulatorRequest, io: CliIo): Promise<number>;
  /** Lists the conversation agents' TTS voices and speaks samples; resolves with the exit code. */
  voices?(config: RingagentConfig, request: VoicesRequest, io: CliIo): Promise<number>;
  /** Talks to a conversation agent from a WAV or text, without telephony; resolves with the exit code. */
  simulate?(config: RingagentConfig, request: SimulateRequest, io: CliIo): Promise<number>;
}

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  version: string;
}

export const usage = `Usage: ringagent <command> [options]

Commands:
  start                  start the agent on the configured lines (default: the local line on 127.0.0.1)
  check-config           validate the configuration and print the lines and agents
  doctor                 check config, store, engines and lines; print the fix for each failure
  calls [--limit N]      list recent calls with outcome and duration
  call show ID           one call with its turns (latency) and events
  call TARGET [--line NAME] [--play FILE.wav] [--record OUT.wav]
                         place a test call from a line
  emulator [--port N] [--sip-tls HOST:PORT] [--sip-user U] [--sip-password P]
                         run the RingCentral emulator for local development and print
                         how to point a config at it (needs no config)
  voices [--agent NAME] [--out DIR]
                         list the conversation agents' TTS voices (* = the one used);
                         with --out, speak a sample per agent to DIR/<agent>.wav
  simulate --agent NAME (--in CALLER.wav | --text LINE ... | lines on stdin)
           [--out AGENT.wav] [--stereo] [--realtime]
                         talk to an agent without telephony: prints the turns and
                         per-turn latency, writes the agent's time-aligned audio

Options:
  -c, --config FILE  configuration file (YAML); default ./ringagent.yaml when it exists,
                     otherwise the built-in local line with the offline receptionist
  -h, --help         show this help
  -v, --version      print the version

Environment:
  RINGAGENT_LOG_LEVEL, RINGAGENT_HTTP_LISTEN, RINGAGENT_API_TOKEN, and any \${VAR} your config uses.
  See ringagent.example.yaml for every option.
`;

const commands = new Set([
  "start",
  "check-config",
  "doctor",
  "calls",
  "call",
  "emulator",
  "voices",
  "simulate",
]);

/** Exit codes: 0 ok, 1 runtime failure (or a failed doctor check), 2 usage or configuration error. */
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
  if (!commands.has(command)) {
    io.err(`ringagent: unknown command "${command}"\n\n${usage}`);
    return 2;
  }

  if (command === "emulator") return runEmulator(handlers, values, io);

  const configPath = values.config ?? (await defaultConfigPath());
  let config: RingagentConfig;
  try {
    const options: LoadConfigOptions = { env: io.env };
    if (configPath !== undefined) options.path = configPath;
    config = loadConfig(options);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    if (command === "doctor") {
      io.out(`FAIL  config (${configPath ?? "built-in default"}): invalid\n`);
      for (const problem of error.problems) io.out(`      ${problem}\n`);
      io.out("doctor: 1 check(s) failed\n");
      return 1;
    }
    io.err(`ringagent: ${error.message}\n`);
    return 2;
  }

  try {
    switch (command) {
      case "check-config":
        io.out(`configuration ok (${configPath ?? "built-in default"})\n`);
        for (const line of config.lines)
          io.out(`  line ${line.name} (${line.kind}) -> agent ${line.agent}\n`);
        return 0;
      case "doctor":
        io.out(`PASS  config (${configPath ?? "built-in default"}): valid\n`);
        return await runDoctor(handlers.doctorChecks(config), { out: io.out });
      case "calls":
        return await withStore(handlers, config, (store) =>
          listCallsCommand(store, { limit: parseLimit(values.limit), out: io.out }),
        );
      case "call": {
        if (positionals[1] === "show") {
          const id = positionals[2];
          if (id === undefined) {
            io.err("ringagent: call show needs a call id\n");
            return 2;
          }
          return await withStore(handlers, config, (store) => showCallCommand(store, id, io));
        }
        const target = positionals[1];
        if (target === undefined) {
          io.err(`ringagent: call needs a target (a SIP URI or number)\n\n${usage}`);
          return 2;
        }
        if (handlers.placeCall === undefined) {
          io.err("ringagent: placing calls is not available in this build\n");
          return 1;
        }
        return await handlers.placeCall(
          config,
          { target, line: values.line, play: values.play, record: values.record },
          io,
        );
      }
      case "voices":
        if (handlers.voices === undefined) {
          io.err("ringagent: voices is not available in this build\n");
          return 1;
        }
        return await handlers.voices(config, { agent: values.agent, out: values.out }, io);
      case "simulate":
        if (handlers.simulate === undefined) {
          io.err("ringagent: simulate is not available in this build\n");
          return 1;
        }
        return await handlers.simulate(
          config,
          {
            agent: values.agent,
            in: values.in,
            out: values.out,
            texts: values.text ?? [],
            stereo: values.stereo === true,
            realtime: values.realtime === true,
          },
          io,
        );
      default:
        await handlers.start(config, { configPath });
        return 0;
    }
  } catch (error) {
    io.err(`ringagent: ${describeError(error)}\n`);
    return 1;
  }
}

async function runEmulator(
  handlers: CliHandlers,
  values: ReturnType<typeof parseCliArgs>["values"],
  io: CliIo,
): Promise<number> {
  const port = Number(values.port ?? "0");
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    io.err("ringagent: --port must be a port number (0 picks a free one)\n");
    return 2;
  }
  const sipTls = values["sip-tls"];
  if (sipTls !== undefined && !/^[A-Za-z0-9.-]+:\d{1,5}$/.test(sipTls)) {
    io.err("ringagent: --sip-tls must be HOST:PORT of a TLS registrar\n");
    return 2;
  }
  if (handlers.emulator === undefined) {
    io.err("ringagent: the emulator is not available in this build\n");
    return 1;
  }
  try {
    return await handlers.emulator(
      { port, sipTls, sipUser: values["sip-user"], sipPassword: values["sip-password"] },
      io,
    );
  } catch (error) {
    io.err(`ringagent: ${describeError(error)}\n`);
    return 1;
  }
}

async function withStore(
  handlers: CliHandlers,
  config: RingagentConfig,
  use: (store: CallStore) => Promise<number>,
): Promise<number> {
  const store = await handlers.openStore(config);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

function parseLimit(text: string | undefined): number {
  const n = Number(text ?? "20");
  return Number.isInteger(n) && n >= 1 && n <= 500 ? n : 20;
}

function parseCliArgs(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      config: { type: "string", short: "c" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
      limit: { type: "string" },
      line: { type: "string" },
      play: { type: "string" },
      record: { type: "string" },
      port: { type: "string" },
      "sip-tls": { type: "string" },
      "sip-user": { type: "string" },
      "sip-password": { type: "string" },
      agent: { type: "string" },
      out: { type: "string" },
      in: { type: "string" },
      text: { type: "string", multiple: true },
      stereo: { type: "boolean" },
      realtime: { type: "boolean" },
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
