/**
 * Kamailio as registrar + proxy with digest auth for real-peer tests: UDP/TCP on one port, TLS on
 * another (optional), static users, config rendered from test/bed/kamailio/*.tmpl into the bed dir.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { BedCerts } from "./certs.js";
import { allocPorts, BED_HOST, waitForUdpBound } from "./ports.js";
import type { BedProcess, ProcessRegistry } from "./processes.js";

const run = promisify(execFile);
const templateDir = join(import.meta.dirname, "kamailio");

/** The default static users (username → password). */
export const DEFAULT_SIP_USERS: Readonly<Record<string, string>> = {
  alice: "alicepw",
  bob: "bobpw",
  agent: "agentpw",
  carol: "carolpw",
};

export interface KamailioOptions {
  /** Directory for the rendered config, run dir and pid file. */
  dir: string;
  registry: ProcessRegistry;
  /** Username → password; default DEFAULT_SIP_USERS. */
  users?: Readonly<Record<string, string>>;
  /** When given, TLS listens on its own port with these certificates. */
  certs?: BedCerts;
  /** Fixed ports (tests normally let the bed choose). */
  sipPort?: number;
  tlsPort?: number;
  /** Kamailio debug level (default 2; 3 logs every message). */
  debugLevel?: number;
  timeoutMs?: number;
}

export interface KamailioInstance {
  process: BedProcess;
  host: string;
  /** UDP and TCP port. */
  sipPort: number;
  /** TLS port, when started with certs. */
  tlsPort: number | undefined;
  users: Readonly<Record<string, string>>;
  configPath: string;
  /** `sip:<user>@127.0.0.1:<port>` for the transport's port (AOR as the proxy sees it). */
  uri(user: string, transport?: "udp" | "tcp" | "tls"): string;
  stop(): Promise<void>;
}

const safeToken = /^[A-Za-z0-9_.-]+$/;

/** Finds the modules directory of the installed Kamailio (multiarch path). */
export function kamailioModulePath(): string {
  const candidates = [
    "/usr/lib/x86_64-linux-gnu/kamailio/modules",
    "/usr/lib/aarch64-linux-gnu/kamailio/modules",
    "/usr/lib/kamailio/modules",
    "/usr/lib64/kamailio/modules",
  ];
  const found = candidates.find((dir) => existsSync(join(dir, "tm.so")));
  if (!found) throw new Error("Kamailio modules not found: apt-get install kamailio kamailio-tls-modules");
  return found;
}

function renderUsers(users: Readonly<Record<string, string>>): string {
  const lines: string[] = [];
  for (const [user, password] of Object.entries(users)) {
    if (!safeToken.test(user) || !safeToken.test(password)) {
      throw new Error(`kamailio users: only [A-Za-z0-9_.-] allowed in names and passwords (${user})`);
    }
    lines.push(`\tif ($fU == "${user}") { $var(pw) = "${password}"; }`);
  }
  return lines.join("\n");
}

function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/@([A-Z_]+)@/g, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`kamailio template: no value for ${whole}`);
    return value;
  });
}

/** Renders the configs, syntax-checks them (`kamailio -c`), starts Kamailio and waits for its ports. */
export async function startKamailio(options: KamailioOptions): Promise<KamailioInstance> {
  const users = options.users ?? DEFAULT_SIP_USERS;
  const withTls = options.certs !== undefined;
  const sipPort = options.sipPort ?? (await allocPorts({ count: 1, protocols: ["tcp", "udp"] }));
  const tlsPort = withTls
    ? (options.tlsPort ?? (await allocPorts({ count: 1, protocols: ["tcp"] })))
    : undefined;
  const runDir = join(options.dir, "run");
  await mkdir(runDir, { recursive: true });
  const tlsCfg = join(options.dir, "tls.cfg");
  if (options.certs) {
    const tlsTemplate = await readFile(join(templateDir, "tls.cfg.tmpl"), "utf8");
    await writeFile(
      tlsCfg,
      fill(tlsTemplate, {
        SERVER_KEY: options.certs.serverKey,
        SERVER_PEM: options.certs.serverPem,
        CA_PEM: options.certs.caPem,
      }),
    );
  }
  const template = await readFile(join(templateDir, "kamailio.cfg.tmpl"), "utf8");
  const configPath = join(options.dir, "kamailio.cfg");
  const config = fill(template, {
    MPATH: `${kamailioModulePath()}/`,
    SIP_PORT: String(sipPort),
    TLS_PORT: String(tlsPort ?? 0),
    TLS_CFG: tlsCfg,
    AUTH_USERS: renderUsers(users),
  }).replace(/^debug=\d+$/m, `debug=${options.debugLevel ?? 2}`);
  await writeFile(configPath, config);
  const defines = withTls ? ["-A", "WITH_TLS"] : [];
  try {
    await run("kamailio", [...defines, "-c", "-f", configPath], { timeout: 20_000 });
  } catch (error) {
    const detail = error instanceof Error && "stderr" in error ? String(error.stderr) : String(error);
    throw new Error(
      `kamailio config check failed for ${configPath}:\n${detail.split("\n").slice(-25).join("\n")}`,
    );
  }
  const process = options.registry.spawn({
    name: "kamailio",
    command: "kamailio",
    // Kamailio's TCP main process sometimes lingers after SIGTERM; its workers exit with the main PID.
    stopGraceMs: 1_500,
    args: [
      ...defines,
      "-f",
      configPath,
      "-DD",
      "-E",
      "-Y",
      runDir,
      "-P",
      join(runDir, "kamailio.pid"),
    ].concat(["-m", "64", "-M", "8"]),
  });
  const timeoutMs = options.timeoutMs ?? 20_000;
  await process.waitReady({ tcpPorts: tlsPort === undefined ? [sipPort] : [sipPort, tlsPort], timeoutMs });
  await waitForUdpBound(sipPort, timeoutMs);
  return {
    process,
    host: BED_HOST,
    sipPort,
    tlsPort,
    users,
    configPath,
    uri(user: string, transport: "udp" | "tcp" | "tls" = "udp"): string {
      if (transport === "tls") {
        if (tlsPort === undefined) throw new Error("kamailio started without TLS");
        return `sip:${user}@${BED_HOST}:${tlsPort};transport=tls`;
      }
      return `sip:${user}@${BED_HOST}:${sipPort}${transport === "tcp" ? ";transport=tcp" : ""}`;
    },
    async stop(): Promise<void> {
      await process.stop();
    },
  };
}
