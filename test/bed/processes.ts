/**
 * A registry of the child processes a test bed started. Each child's stdout and stderr go to a log
 * file in the bed's directory; readiness is a log line or a TCP port accepting; stopping is by PID
 * (SIGTERM, then SIGKILL after a grace period). Only PIDs this registry spawned are ever signalled:
 * each child is its own process-group leader (`detached`), and SIGKILL goes to that group so the
 * workers a peer forked (Kamailio's children) die with it even when the main PID is killed hard.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, readFileSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { waitForTcpPort } from "./ports.js";

export interface SpawnOptions {
  /** Short name used for the log file (`<name>.log`) and in error messages. */
  name: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Data written to stdin, then stdin is closed; by default stdin is /dev/null. */
  stdin?: string;
  /** Default grace between SIGTERM and SIGKILL for stop() (3000 ms). */
  stopGraceMs?: number;
}

export interface ReadyOptions {
  /** Wait until the combined log matches this. */
  logLine?: RegExp;
  /** Wait until these TCP ports accept on 127.0.0.1. */
  tcpPorts?: readonly number[];
  timeoutMs?: number;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One spawned child. */
export class BedProcess {
  readonly name: string;
  readonly logPath: string;
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  exitInfo: ExitInfo | undefined;
  private readonly log: WriteStream;
  private text = "";
  private readonly listeners = new Set<() => void>();

  private readonly stopGraceMs: number;

  constructor(child: ChildProcess, name: string, logPath: string, stopGraceMs = 3_000) {
    this.stopGraceMs = stopGraceMs;
    this.name = name;
    this.logPath = logPath;
    if (child.pid === undefined) throw new Error(`${name}: spawn failed (no pid)`);
    this.pid = child.pid;
    this.log = createWriteStream(logPath);
    const onData = (chunk: Buffer): void => {
      this.log.write(chunk);
      this.text += chunk.toString("utf8");
      for (const listener of this.listeners) listener();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.exitInfo = { code, signal };
        for (const listener of this.listeners) listener();
        resolve(this.exitInfo);
      });
    });
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** Everything the child printed so far (stdout and stderr interleaved). */
  output(): string {
    return this.text;
  }

  /** The last `lines` lines of output, for error messages. */
  tail(lines = 30): string {
    return this.text.split("\n").slice(-lines).join("\n");
  }

  /** Resolves with the match once the output matches `pattern`; rejects on exit or deadline. */
  waitForOutput(pattern: RegExp, timeoutMs = 15_000, fromOffset = 0): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const match = this.text.slice(fromOffset).match(pattern);
        if (match) {
          finish();
          resolve(match);
        } else if (this.exitInfo !== undefined) {
          finish();
          reject(new Error(`${this.name} exited (${this.describeExit()}) before ${pattern}\n${this.tail()}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${this.name}: no ${pattern} within ${timeoutMs} ms\n${this.tail()}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Waits for the ready condition; rejects early if the child exits. */
  async waitReady(ready: ReadyOptions): Promise<void> {
    const timeoutMs = ready.timeoutMs ?? 15_000;
    const waits: Promise<unknown>[] = [];
    if (ready.logLine) waits.push(this.waitForOutput(ready.logLine, timeoutMs));
    for (const port of ready.tcpPorts ?? []) waits.push(waitForTcpPort(port, timeoutMs));
    const died = this.exited.then((info) => {
      throw new Error(`${this.name} exited (${describe(info)}) while starting\n${this.tail()}`);
    });
    await Promise.race([Promise.all(waits), died]);
    died.catch(() => undefined);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the child has exited. */
  async stop(graceMs = this.stopGraceMs): Promise<ExitInfo> {
    if (this.exitInfo !== undefined) return this.exitInfo;
    signal(this.pid, "SIGTERM");
    const timer = setTimeout(() => signal(-this.pid, "SIGKILL"), graceMs);
    const info = await this.exited;
    clearTimeout(timer);
    // Workers the child forked and left behind (same process group) are ours too.
    signal(-this.pid, "SIGKILL");
    await new Promise<void>((resolve) => this.log.end(resolve));
    return info;
  }

  /** Synchronous SIGKILL, for the process 'exit' hook. */
  killNow(): void {
    signal(-this.pid, "SIGKILL");
  }

  describeExit(): string {
    return this.exitInfo ? describe(this.exitInfo) : "running";
  }

  /** Reads the log file from disk (complete after stop()). */
  readLog(): string {
    return readFileSync(this.logPath, "utf8");
  }
}

function describe(info: ExitInfo): string {
  return info.signal ? `signal ${info.signal}` : `code ${info.code}`;
}

/** Sends `name` to `pid` (negative: the process group we created); a gone process is not an error. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** Every registry alive in this process, for the 'exit' hook. */
const liveRegistries = new Set<ProcessRegistry>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const registry of liveRegistries) registry.killAllNow();
  });
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      for (const registry of liveRegistries) registry.killAllNow();
      process.exit(128 + (sig === "SIGINT" ? 2 : 15));
    });
  }
}

/** Spawns children with logs in `logDir` and stops them all on stopAll() or process exit. */
export class ProcessRegistry {
  private readonly processes: BedProcess[] = [];
  private readonly logDir: string;

  constructor(logDir: string) {
    this.logDir = logDir;
    installExitHook();
    liveRegistries.add(this);
  }

  spawn(options: SpawnOptions): BedProcess {
    const sameName = this.processes.filter((p) => p.name === options.name).length;
    const suffix = sameName === 0 ? "" : `-${sameName + 1}`;
    const logPath = join(this.logDir, `${options.name}${suffix}.log`);
    const child = spawn(options.command, [...options.args], {
      cwd: options.cwd ?? this.logDir,
      env: options.env ?? process.env,
      stdio: [options.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      // Own process group (pgid = pid), so stop() can reach forked workers by -pid.
      detached: true,
    });
    const spawnError = new Promise<never>((_, reject) => child.once("error", reject));
    spawnError.catch(() => undefined);
    if (child.pid === undefined) {
      throw new Error(`cannot spawn ${options.command}: is it installed?`);
    }
    if (options.stdin !== undefined && child.stdin) child.stdin.end(options.stdin);
    const proc = new BedProcess(child, `${options.name}${suffix}`, logPath, options.stopGraceMs);
    this.processes.push(proc);
    return proc;
  }

  list(): readonly BedProcess[] {
    return this.processes;
  }

  /** Stops every child still running (SIGTERM, then SIGKILL), in reverse start order. */
  async stopAll(graceMs?: number): Promise<void> {
    await Promise.all([...this.processes].reverse().map((p) => p.stop(graceMs)));
    liveRegistries.delete(this);
  }

  /** Synchronous SIGKILL of every child still running. */
  killAllNow(): void {
    for (const p of this.processes) p.killNow();
  }
}
