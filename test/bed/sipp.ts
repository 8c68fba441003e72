/**
 * SIPp runs for real-peer tests: scenarios from test/bed/sipp/*.xml (with `@NAME@` placeholders
 * rendered into the bed dir), UDP or TCP, -m/-r/-l, -key/-set, injection files, traces in the bed
 * dir, exit code and parsed statistics. The Debian SIPp 3.6.1 has no TLS and no SRTP.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, isAbsolute, join } from "node:path";
import { allocPorts, BED_HOST } from "./ports.js";
import type { BedProcess, ExitInfo, ProcessRegistry } from "./processes.js";

export const SIPP_SCENARIO_DIR = join(import.meta.dirname, "sipp");

export interface SippOptions {
  registry: ProcessRegistry;
  /** Directory for rendered scenarios, traces and stats (created). */
  dir: string;
  /** File name under test/bed/sipp/ (e.g. "register_auth.xml") or an absolute path. */
  scenario: string;
  /** `@NAME@` → value substitutions applied to the scenario text. */
  placeholders?: Readonly<Record<string, string>>;
  /** `host:port` of the peer (omit for a UAS scenario that only listens). */
  remote?: string;
  transport?: "udp" | "tcp";
  /** -s: the user part of the request URI ([service]). */
  service?: string;
  /** -au / -ap: digest credentials. */
  auth?: { user: string; password: string };
  /** -m: stop after this many calls (default 1). */
  calls?: number;
  /** -r: calls per second. */
  rate?: number;
  /** -l: max simultaneous calls. */
  limit?: number;
  /** -key name value (use as [name] in the scenario). */
  keys?: Readonly<Record<string, string>>;
  /** -set variable value. */
  sets?: Readonly<Record<string, string>>;
  /** -inf: a CSV injection file (first line SEQUENTIAL/RANDOM/USER). */
  injectionFile?: string;
  /** -trace_msg: log every SIP message (default true; the file is small for smoke tests). */
  traceMessages?: boolean;
  /** SIPp's own -timeout in seconds (default: timeoutMs / 1000). */
  timeoutMs?: number;
  extraArgs?: readonly string[];
  /** Name for the log files (default: scenario base name). */
  name?: string;
}

export interface SippStats {
  successful: number;
  failed: number;
  /** Every column of the last statistics row, by CSV header. */
  columns: Record<string, string>;
}

export interface SippResult {
  /** SIPp's exit code: 0 all calls succeeded, 1 some failed, 97 exit by command, 99 no call, 255 fatal. */
  code: number | null;
  exit: ExitInfo;
  stats: SippStats | undefined;
  /** Paths of the traces for debugging. */
  messageLog: string;
  errorLog: string;
  statsCsv: string;
  output: string;
}

export interface SippRun {
  process: BedProcess;
  /** SIP port SIPp listens on (UDP or TCP). */
  localPort: number;
  /** RTP port (-mp). */
  mediaPort: number;
  result: Promise<SippResult>;
  stop(): Promise<void>;
}

/** Reads a scenario and applies `@NAME@` substitutions; unknown placeholders are an error. */
export async function renderScenario(
  scenario: string,
  outDir: string,
  placeholders: Readonly<Record<string, string>> = {},
): Promise<string> {
  const source = isAbsolute(scenario) ? scenario : join(SIPP_SCENARIO_DIR, scenario);
  if (!existsSync(source)) throw new Error(`sipp scenario not found: ${source}`);
  const text = (await readFile(source, "utf8")).replace(/@([A-Z0-9_]+)@/g, (whole, key: string) => {
    const value = placeholders[key];
    if (value === undefined) throw new Error(`sipp scenario ${basename(source)}: no value for ${whole}`);
    return value;
  });
  await mkdir(outDir, { recursive: true });
  const out = join(outDir, basename(source));
  await writeFile(out, text);
  return out;
}

/** Parses SIPp's -trace_stat CSV (`;`-separated); returns the last row's counters. */
export function parseSippStats(csv: string): SippStats | undefined {
  const lines = csv.split("\n").filter((l) => l.trim().length > 0);
  const header = lines[0]?.split(";");
  const last = lines.length > 1 ? lines[lines.length - 1]?.split(";") : undefined;
  if (!header || !last) return undefined;
  const columns: Record<string, string> = {};
  header.forEach((name, i) => {
    columns[name.trim()] = (last[i] ?? "").trim();
  });
  const successful = Number(columns["SuccessfulCall(C)"]);
  const failed = Number(columns["FailedCall(C)"]);
  if (!Number.isFinite(successful) || !Number.isFinite(failed)) return undefined;
  return { successful, failed, columns };
}

/** Starts SIPp in the foreground (stdin closed); `result` resolves when it exits. */
export async function startSipp(options: SippOptions): Promise<SippRun> {
  const name = options.name ?? basename(options.scenario, ".xml");
  const dir = join(options.dir, `sipp-${name}`);
  await mkdir(dir, { recursive: true });
  const scenarioPath = await renderScenario(options.scenario, dir, options.placeholders ?? {});
  const transport = options.transport ?? "udp";
  const localPort = await allocPorts({ count: 1, protocols: ["udp", "tcp"] });
  const mediaPort = await allocPorts({ count: 4, protocols: ["udp"] });
  const timeoutMs = options.timeoutMs ?? 60_000;
  const messageLog = join(dir, "messages.log");
  const errorLog = join(dir, "errors.log");
  const statsCsv = join(dir, "stats.csv");
  const args = ["-sf", scenarioPath, "-i", BED_HOST, "-p", String(localPort), "-mp", String(mediaPort)];
  args.push("-t", transport === "udp" ? "u1" : "t1", "-m", String(options.calls ?? 1), "-nostdin");
  args.push("-timeout", `${Math.ceil(timeoutMs / 1000)}s`, "-timeout_error");
  args.push("-trace_err", "-error_file", errorLog, "-trace_stat", "-stf", statsCsv, "-fd", "1");
  args.push("-trace_logs", "-log_file", join(dir, "actions.log"));
  if (options.traceMessages ?? true) args.push("-trace_msg", "-message_file", messageLog);
  if (options.service !== undefined) args.push("-s", options.service);
  if (options.auth) args.push("-au", options.auth.user, "-ap", options.auth.password);
  if (options.rate !== undefined) args.push("-r", String(options.rate));
  if (options.limit !== undefined) args.push("-l", String(options.limit));
  for (const [key, value] of Object.entries(options.keys ?? {})) args.push("-key", key, value);
  for (const [key, value] of Object.entries(options.sets ?? {})) args.push("-set", key, value);
  if (options.injectionFile) args.push("-inf", options.injectionFile);
  args.push(...(options.extraArgs ?? []));
  if (options.remote !== undefined) args.push(options.remote);
  const process = options.registry.spawn({ name: `sipp-${name}`, command: "sipp", args, cwd: dir });
  const result = process.exited.then(async (exit): Promise<SippResult> => {
    const csv = await readFile(statsCsv, "utf8").catch(() => "");
    return {
      code: exit.code,
      exit,
      stats: parseSippStats(csv),
      messageLog,
      errorLog,
      statsCsv,
      output: process.output(),
    };
  });
  return {
    process,
    localPort,
    mediaPort,
    result,
    async stop(): Promise<void> {
      await process.stop(2_000);
    },
  };
}

/** Runs SIPp to completion (bounded by `timeoutMs`, then stopped by PID). */
export async function runSipp(options: SippOptions): Promise<SippResult> {
  const run = await startSipp(options);
  const timeoutMs = (options.timeoutMs ?? 60_000) + 5_000;
  const timer = setTimeout(() => {
    run.stop().catch(() => undefined);
  }, timeoutMs);
  try {
    return await run.result;
  } finally {
    clearTimeout(timer);
  }
}
