/**
 * A throw-away PostgreSQL server for store tests: `initdb` into a temp dir, `postgres` on a free
 * 127.0.0.1 port with its unix socket in that dir, one database created, stopped by its own PID
 * (SIGINT = fast shutdown, SIGKILL after a grace) and the dir removed. No other cluster is touched.
 *
 * PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user (created by
 * Debian's package) through `setpriv`, which execs in place: the PID we hold is the postmaster's.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export const postgresBinDir = "/usr/lib/postgresql/15/bin";

export interface TestPostgres {
  /** postgres://postgres@127.0.0.1:PORT/DB */
  url: string;
  port: number;
  pid: number;
  /** Stops the server by PID and removes its directory (idempotent). */
  stop(): Promise<void>;
}

export function postgresAvailable(): boolean {
  return existsSync(join(postgresBinDir, "initdb")) && existsSync(join(postgresBinDir, "postgres"));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface RunAs {
  command: string;
  prefix: string[];
  uid?: number;
  gid?: number;
}

function runAs(): RunAs {
  if (process.getuid?.() !== 0) return { command: "", prefix: [] };
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
  return {
    command: "setpriv",
    prefix: [`--reuid=${uid}`, `--regid=${gid}`, "--init-groups", "--"],
    uid,
    gid,
  };
}

function spawnAs(as: RunAs, binary: string, args: string[]): ChildProcess {
  const full = join(postgresBinDir, binary);
  return as.command === ""
    ? spawn(full, args, { stdio: ["ignore", "pipe", "pipe"] })
    : spawn(as.command, [...as.prefix, full, ...args], { stdio: ["ignore", "pipe", "pipe"] });
}

function runToEnd(child: ChildProcess, what: string, timeoutMs: number): Promise<void> {
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, "SIGKILL");
      reject(new Error(`${what} took over ${timeoutMs} ms\n${output}`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${what} exited with ${code}\n${output}`));
    });
  });
}

/** Starts a server and creates database `database`; rejects within `timeoutMs` (default 15 s). */
export async function startTestPostgres(
  database = "ringagent_test",
  timeoutMs = 15_000,
): Promise<TestPostgres> {
  const deadline = Date.now() + timeoutMs;
  const dir = mkdtempSync(join(tmpdir(), "ringagent-pg-"));
  const as = runAs();
  if (as.uid !== undefined && as.gid !== undefined) chownSync(dir, as.uid, as.gid);
  const dataDir = join(dir, "data");
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    await runToEnd(
      spawnAs(as, "initdb", [
        "-D",
        dataDir,
        "-U",
        "postgres",
        "-A",
        "trust",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
        "--no-sync",
      ]),
      "initdb",
      Math.max(1_000, deadline - Date.now()),
    );
  } catch (error) {
    removeDir();
    throw error;
  }
  const port = await freePort();
  const server = spawnAs(as, "postgres", [
    "-D",
    dataDir,
    "-p",
    String(port),
    "-k",
    dir,
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    "fsync=off",
    "-c",
    "full_page_writes=off",
    "-c",
    "max_connections=40",
  ]);
  let log = "";
  server.stdout?.on("data", (chunk: Buffer) => {
    log += chunk.toString("utf8");
  });
  server.stderr?.on("data", (chunk: Buffer) => {
    log += chunk.toString("utf8");
  });
  const pid = server.pid;
  if (pid === undefined) {
    removeDir();
    throw new Error("postgres: spawn failed");
  }
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) =>
    server.once("exit", () => {
      exited = true;
      resolve();
    }),
  );
  const killOnExit = (): void => {
    if (!exited) process.kill(pid, "SIGKILL");
  };
  process.once("exit", killOnExit);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener("exit", killOnExit);
    if (!exited) {
      process.kill(pid, "SIGINT");
      const timer = setTimeout(() => {
        if (!exited) process.kill(pid, "SIGKILL");
      }, 5_000);
      await exitedPromise;
      clearTimeout(timer);
    }
    removeDir();
  };

  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  try {
    for (;;) {
      if (exited) throw new Error(`postgres exited while starting\n${log}`);
      if (Date.now() > deadline) throw new Error(`postgres not ready within ${timeoutMs} ms\n${log}`);
      const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 1_000 });
      try {
        await client.connect();
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
        await client.end();
        break;
      } catch {
        await client.end().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/${database}`, port, pid, stop };
}
