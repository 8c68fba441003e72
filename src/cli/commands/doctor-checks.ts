import { spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { lookup } from "node:dns/promises";
import { accessSync, constants, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { type ListenSpec, parseListenSpec, type RingagentConfig } from "../../config/index.js";
import { mediaAddonBuildCommand, mediaAddonStatus } from "../../media/index.js";
import type { CallStore } from "../../store/index.js";
import type { DoctorCheck, DoctorResult } from "./doctor-command.js";
import { type PocketsphinxLoader, pocketsphinxDoctorChecks } from "./pocketsphinx-doctor.js";
import { type RegistrationProbeFactory, registrationDoctorCheck } from "./registration-doctor.js";
import { type RingCentralDoctorOptions, ringCentralDoctorChecks } from "./ringcentral-doctor.js";

const pass = (detail: string): DoctorResult => ({ status: "pass", detail });
const fail = (detail: string, fix: string): DoctorResult => ({ status: "fail", detail, fix });

/** Checks that need nothing but the config and Node: store, ports, engines' files, line basics. */
export function baseDoctorChecks(
  config: RingagentConfig,
  deps: {
    openStore: (config: RingagentConfig) => Promise<CallStore>;
    ringcentral?: RingCentralDoctorOptions;
    /** Where `stt.modelDir` is not set, RINGAGENT_POCKETSPHINX_MODEL_DIR is read from here (default process.env). */
    env?: NodeJS.ProcessEnv;
    /** Builds the recognizer (main.ts): adds the "addon loads" check. */
    loadPocketsphinx?: PocketsphinxLoader;
    pocketsphinxAddonFix?: string;
    /** Builds a sip-account line's user agent (main.ts): adds the real REGISTER check. */
    registrationProbe?: RegistrationProbeFactory;
    registrationTimeoutMs?: number;
  },
): DoctorCheck[] {
  const checks: DoctorCheck[] = [
    {
      name: `store (${config.store.kind})`,
      run: async () => {
        try {
          const store = await deps.openStore(config);
          try {
            await store.ping();
          } finally {
            await store.close();
          }
          return pass("reachable, migrations applied");
        } catch (error) {
          return fail(
            error instanceof Error ? error.message : String(error),
            config.store.kind === "sqlite"
              ? `make the folder of ${config.store.path} writable`
              : "check DATABASE_URL and that PostgreSQL accepts connections",
          );
        }
      },
    },
  ];
  if (config.http.enabled) {
    checks.push({
      name: `http listen ${config.http.listen}`,
      run: async () => {
        const spec = parseListenSpec(
          `tcp:${config.http.listen.includes(":") ? config.http.listen : `${config.http.listen}:8080`}`,
        );
        if ("problem" in spec) return fail(spec.problem, "fix http.listen");
        return portCheck(spec, "http.listen");
      },
    });
  }
  for (const line of config.lines) {
    const listens = line.kind === "local" || line.kind === "sip-trunk" ? line.listen : [];
    for (const text of listens) {
      checks.push({
        name: `line ${line.name}: listen ${text}`,
        run: async () => {
          const spec = parseListenSpec(text);
          if ("problem" in spec) return fail(spec.problem, "fix the line's listen address");
          return portCheck(spec, `the listen address of line ${line.name}`);
        },
      });
    }
    if (line.kind === "sip-account") {
      checks.push({
        name: `line ${line.name}: registrar`,
        run: async () => {
          const host = line.registrar.replace(/^\[/, "").replace(/\]?(:\d+)?$/, "");
          try {
            const address = await lookup(host);
            return pass(`${host} resolves to ${address.address}`);
          } catch {
            return fail(`cannot resolve ${host}`, "check registrar: in the config and this machine's DNS");
          }
        },
      });
      if (deps.registrationProbe !== undefined) {
        checks.push(
          registrationDoctorCheck(
            line,
            deps.registrationProbe,
            deps.registrationTimeoutMs === undefined ? {} : { timeoutMs: deps.registrationTimeoutMs },
          ),
        );
      }
    }
  }
  checks.push({
    name: "media engine",
    run: async () => {
      const status = mediaAddonStatus();
      if (status.engine === "native") return pass("native (UDP send and SRTP crypto in native/media)");
      return {
        status: "warn",
        detail: `pure JS (about 2x the CPU per call): ${status.detail}`,
        fix: `build it with: ${mediaAddonBuildCommand}`,
      };
    },
  });
  const usesFlite = Object.values(config.agents).some(
    (a) => a.kind === "conversation" && a.tts.provider === "flite",
  );
  if (usesFlite)
    checks.push(binaryCheck("engine flite (TTS)", "flite", ["--version"], "apt-get install flite"));
  checks.push(
    ...pocketsphinxDoctorChecks(config, {
      env: deps.env ?? process.env,
      load: deps.loadPocketsphinx,
      ...(deps.pocketsphinxAddonFix === undefined ? {} : { addonFix: deps.pocketsphinxAddonFix }),
    }),
  );
  if (config.recordings.enabled) {
    checks.push({
      name: `recordings dir ${config.recordings.dir}`,
      run: async () => {
        try {
          mkdirSync(config.recordings.dir, { recursive: true });
          accessSync(config.recordings.dir, constants.W_OK);
          return pass("writable");
        } catch {
          return fail("not writable", `create ${config.recordings.dir} and make it writable for this user`);
        }
      },
    });
  }
  checks.push(...ringCentralDoctorChecks(config, deps.ringcentral));
  return checks;
}

function binaryCheck(name: string, command: string, args: string[], fix: string): DoctorCheck {
  return {
    name,
    run: async () => {
      const result = spawnSync(command, args, { encoding: "utf8", timeout: 5000 });
      return result.error === undefined ? pass(`${command} found`) : fail(`${command} is not installed`, fix);
    },
  };
}

async function portCheck(spec: ListenSpec, what: string): Promise<DoctorResult> {
  if (spec.port === 0) return pass("any free port");
  const fix = `stop the program using ${spec.host}:${spec.port} or change ${what}`;
  if (spec.protocol === "udp") {
    return new Promise((resolve) => {
      const socket = createSocket(spec.host.includes(":") ? "udp6" : "udp4");
      socket.once("error", (error: NodeJS.ErrnoException) => {
        socket.close();
        resolve(fail(`cannot bind udp ${spec.host}:${spec.port} (${error.code ?? "error"})`, fix));
      });
      socket.bind(spec.port, spec.host, () => {
        socket.close();
        resolve(pass("free"));
      });
    });
  }
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      resolve(fail(`cannot bind tcp ${spec.host}:${spec.port} (${error.code ?? "error"})`, fix));
    });
    server.listen(spec.port, spec.host, () => {
      server.close();
      resolve(pass("free"));
    });
  });
}
