/**
 * TestBed: one temp dir and one process registry per test file. Everything a test starts through
 * the bed is stopped by close() (call it in `after()`), and by a process 'exit' hook if the test
 * runner dies first. The dir is removed unless KEEP_BED=1 (then its path is printed).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BaresipInstance, type BaresipOptions, startBaresip } from "./baresip.js";
import { type BedCerts, makeCerts } from "./certs.js";
import { type KamailioInstance, type KamailioOptions, startKamailio } from "./kamailio.js";
import { ProcessRegistry } from "./processes.js";
import { runSipp, type SippOptions, type SippResult, type SippRun, startSipp } from "./sipp.js";

/** Binary → Debian package that provides it. */
export const BED_TOOLS: Readonly<Record<string, string>> = {
  kamailio: "kamailio kamailio-tls-modules",
  baresip: "baresip-core",
  sipp: "sip-tester",
  flite: "flite",
  pocketsphinx_continuous: "pocketsphinx pocketsphinx-en-us",
  sox: "sox libsox-fmt-all",
  soxi: "sox",
  openssl: "openssl",
};

function hasBinary(name: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Throws naming the apt packages to install when any of `tools` is missing from PATH. */
export function requireTools(tools: readonly string[] = Object.keys(BED_TOOLS)): void {
  const missing = tools.filter((tool) => !/^[a-z_]+$/.test(tool) || !hasBinary(tool));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((tool) => BED_TOOLS[tool] ?? tool))].join(" ");
  throw new Error(
    `test bed tools missing: ${missing.join(", ")}; install with: apt-get install -y --no-install-recommends ${packages}`,
  );
}

type WithoutBed<T> = Omit<T, "registry" | "dir">;

export class TestBed {
  readonly dir: string;
  readonly registry: ProcessRegistry;
  private certsPromise: Promise<BedCerts> | undefined;
  private readonly closers: Array<() => Promise<void>> = [];
  private closed = false;

  constructor(prefix = "ringagent-bed-") {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
    this.registry = new ProcessRegistry(this.dir);
  }

  /** A sub-directory of the bed dir (created). */
  async path(...parts: string[]): Promise<string> {
    const full = join(this.dir, ...parts);
    await mkdir(full, { recursive: true });
    return full;
  }

  /** Throw-away CA and certificates, made once per bed. */
  certs(): Promise<BedCerts> {
    this.certsPromise ??= makeCerts(join(this.dir, "certs"));
    return this.certsPromise;
  }

  async kamailio(options: WithoutBed<KamailioOptions> & { tls?: boolean } = {}): Promise<KamailioInstance> {
    const { tls, ...rest } = options;
    const dir = await this.path(`kamailio-${this.registry.list().length}`);
    const certs = tls ? await this.certs() : undefined;
    return startKamailio({ ...rest, ...(certs ? { certs } : {}), dir, registry: this.registry });
  }

  async baresip(options: WithoutBed<BaresipOptions>): Promise<BaresipInstance> {
    const dir = await this.path(`baresip-${options.name}`);
    const instance = await startBaresip({ ...options, dir, registry: this.registry });
    this.closers.push(() => instance.stop());
    return instance;
  }

  async sipp(options: WithoutBed<SippOptions>): Promise<SippResult> {
    return runSipp({ ...options, dir: this.dir, registry: this.registry });
  }

  async startSipp(options: WithoutBed<SippOptions>): Promise<SippRun> {
    return startSipp({ ...options, dir: this.dir, registry: this.registry });
  }

  /** Stops every process (graceful closers first, then SIGTERM/SIGKILL by PID) and removes the dir. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled(this.closers.map((close) => close()));
    await this.registry.stopAll();
    if (process.env.KEEP_BED === "1") {
      console.log(`KEEP_BED=1: test bed kept in ${this.dir}`);
      return;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
