/**
 * Headless baresip instances for real-peer tests (config from the baresip-mkconf.sh recipe):
 * aufile source, null player, sndfile recording, srtp, ctrl_tcp on a free port.
 * SIP listens UDP+TCP on `sipPort` and TLS on `sipPort + 1`.
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BaresipCtrl } from "./baresip-ctrl.js";
import type { BedCerts } from "./certs.js";
import { allocPorts, BED_HOST } from "./ports.js";
import type { BedProcess, ProcessRegistry } from "./processes.js";

export const BARESIP_MODULE_DIR = "/usr/lib/baresip/modules";

export type MediaEncryption = "srtp" | "srtp-mand" | "srtp-mandf" | "dtls_srtp";
export type SipTransport = "udp" | "tcp" | "tls";

/** Registers `user` at a registrar (e.g. the bed's Kamailio) with digest auth. */
export interface RegisteringAccount {
  kind: "register";
  user: string;
  password: string;
  /** Registrar host:port as the AOR domain (e.g. `127.0.0.1:5061`). */
  domain: string;
  transport: SipTransport;
  /** Register interval in seconds (default 60). */
  regintS?: number;
}

/** A plain local account `<sip:user@127.0.0.1:sipPort>` that does not register. */
export interface LocalAccount {
  kind: "local";
  user: string;
}

export interface BaresipOptions {
  name: string;
  /** Working dir for config, accounts and recordings (created). */
  dir: string;
  registry: ProcessRegistry;
  account: RegisteringAccount | LocalAccount;
  /** Mono s16 WAV played as the microphone (pad it: the call ends when the file ends). */
  sourceWav: string;
  /** Answer incoming calls automatically (default true). */
  autoAnswer?: boolean;
  mediaEncryption?: MediaEncryption;
  /** Codec names for the account, e.g. ["PCMU"] or ["opus", "G722"]. */
  audioCodecs?: readonly string[];
  /** Load opus/g722 modules when present (default true). */
  wideband?: boolean;
  certs?: BedCerts;
  /** RTP port range (default 20000-29999). */
  rtpPorts?: string;
  /** Extra config lines appended verbatim. */
  extraConfig?: readonly string[];
  /** Pass -v (verbose) to baresip. */
  verbose?: boolean;
  timeoutMs?: number;
}

export interface BaresipInstance {
  name: string;
  process: BedProcess;
  ctrl: BaresipCtrl;
  /** UDP/TCP SIP port (TLS is sipPort + 1). */
  sipPort: number;
  ctrlPort: number;
  recordDir: string;
  /** The account's AOR as written in the accounts file. */
  aor: string;
  /** URI another UA dials to reach this instance directly (local accounts). */
  directUri: string;
  /** Waits for REGISTER_OK (registering accounts; events are buffered so this never misses it). */
  waitRegistered(timeoutMs?: number): Promise<void>;
  /** Received (`*-dec.wav`) and sent (`*-enc.wav`) recordings, oldest first. */
  recordings(): Promise<{ received: string[]; sent: string[] }>;
  /** quit over ctrl_tcp, then stop by PID. */
  stop(): Promise<void>;
}

function accountLine(options: BaresipOptions, sipPort: number): { line: string; aor: string } {
  const params: string[] = [];
  const account = options.account;
  let aor: string;
  if (account.kind === "register") {
    const transport = account.transport === "udp" ? "" : `;transport=${account.transport}`;
    aor = `sip:${account.user}@${account.domain}`;
    params.push(`auth_pass=${account.password}`, `regint=${account.regintS ?? 60}`);
    const line = `<${aor}${transport}>`;
    if (options.autoAnswer ?? true) params.push("answermode=auto");
    if (options.mediaEncryption) params.push(`mediaenc=${options.mediaEncryption}`);
    if (options.audioCodecs) params.push(`audio_codecs=${options.audioCodecs.join(",")}`);
    return { line: [line, ...params].join(";"), aor };
  }
  aor = `sip:${account.user}@${BED_HOST}:${sipPort}`;
  params.push("regint=0");
  if (options.autoAnswer ?? true) params.push("answermode=auto");
  if (options.mediaEncryption) params.push(`mediaenc=${options.mediaEncryption}`);
  if (options.audioCodecs) params.push(`audio_codecs=${options.audioCodecs.join(",")}`);
  return { line: [`<${aor}>`, ...params].join(";"), aor };
}

function configText(options: BaresipOptions, sipPort: number, ctrlPort: number, recordDir: string): string {
  const modules = ["g711", "aufile", "alsa", "sndfile", "srtp"];
  if (options.mediaEncryption === "dtls_srtp") modules.push("dtls_srtp");
  if (options.wideband ?? true) {
    for (const optional of ["opus", "g722"]) {
      if (existsSync(join(BARESIP_MODULE_DIR, `${optional}.so`))) modules.push(optional);
    }
  }
  const lines = [
    "poll_method\t\tepoll",
    `sip_listen\t\t${BED_HOST}:${sipPort}`,
    `net_interface\t\t${BED_HOST}`,
    `rtp_ports\t\t${options.rtpPorts ?? "20000-29999"}`,
    "call_local_timeout\t120",
    "call_max_calls\t\t4",
    "audio_player\t\talsa,null",
    `audio_source\t\taufile,${options.sourceWav}`,
    "audio_alert\t\talsa,null",
    "audio_level\t\tno",
    "ausrc_format\t\ts16",
    "auplay_format\t\ts16",
    "auenc_format\t\ts16",
    "audec_format\t\ts16",
    "audio_buffer\t\t20-160",
    "rtcp_mux\t\tno",
    "jitter_buffer_delay\t5-10",
    `module_path\t\t${BARESIP_MODULE_DIR}`,
    ...modules.map((m) => `module\t\t\t${m}.so`),
    "module_tmp\t\tuuid.so",
    "module_tmp\t\taccount.so",
    "module_app\t\tmenu.so",
    "module_app\t\tctrl_tcp.so",
    `ctrl_tcp_listen\t\t${BED_HOST}:${ctrlPort}`,
    `snd_path\t\t${recordDir}`,
  ];
  if (options.certs) {
    lines.push(`sip_certificate\t\t${options.certs.clientBundle}`, `sip_cafile\t\t${options.certs.caPem}`);
  }
  lines.push(...(options.extraConfig ?? []));
  return `${lines.join("\n")}\n`;
}

/** Writes the config, starts baresip and connects ctrl_tcp (does not wait for registration). */
export async function startBaresip(options: BaresipOptions): Promise<BaresipInstance> {
  const sipPort = await allocPorts({ count: 2, protocols: ["tcp", "udp"] });
  const ctrlPort = await allocPorts({ count: 1, protocols: ["tcp"] });
  const recordDir = join(options.dir, "rec");
  await mkdir(recordDir, { recursive: true });
  const { line, aor } = accountLine(options, sipPort);
  await writeFile(join(options.dir, "config"), configText(options, sipPort, ctrlPort, recordDir));
  await writeFile(join(options.dir, "accounts"), `${line}\n`);
  await writeFile(join(options.dir, "contacts"), "");
  const args = ["-f", options.dir, "-t", "0"];
  if (options.verbose) args.push("-v");
  const process = options.registry.spawn({ name: `baresip-${options.name}`, command: "baresip", args });
  const timeoutMs = options.timeoutMs ?? 15_000;
  await process.waitReady({ tcpPorts: [ctrlPort], timeoutMs });
  const ctrl = await BaresipCtrl.connect(ctrlPort, timeoutMs);
  return {
    name: options.name,
    process,
    ctrl,
    sipPort,
    ctrlPort,
    recordDir,
    aor,
    directUri: `sip:${options.account.user}@${BED_HOST}:${sipPort}`,
    async waitRegistered(waitMs = timeoutMs): Promise<void> {
      if (options.account.kind !== "register") return;
      // REGISTER_OK may fire before ctrl_tcp is connected, so also poll `reginfo`.
      const deadline = Date.now() + waitMs;
      for (;;) {
        const events = ctrl.events();
        if (events.some((e) => e.type === "REGISTER_OK")) return;
        const failure = events.find((e) => e.type === "REGISTER_FAIL");
        if (failure) throw new Error(`baresip ${options.name}: REGISTER_FAIL ${failure.param}`);
        const info = await ctrl.regInfo();
        // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes from baresip's text.
        if (/\bOK\b/.test(info.replace(/\u001b\[[0-9;]*m/g, ""))) return;
        if (Date.now() >= deadline)
          throw new Error(`baresip ${options.name}: not registered within ${waitMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    recordings: () => listRecordings(recordDir),
    async stop(): Promise<void> {
      if (process.running) await ctrl.quit();
      ctrl.close();
      await process.stop(2_000);
    },
  };
}

/** Lists sndfile recordings in `dir`: `*-dec.wav` is what baresip received, `*-enc.wav` what it sent. */
export async function listRecordings(dir: string): Promise<{ received: string[]; sent: string[] }> {
  const names = (await readdir(dir)).filter((n) => n.startsWith("dump-") && n.endsWith(".wav")).sort();
  return {
    received: names.filter((n) => n.endsWith("-dec.wav")).map((n) => join(dir, n)),
    sent: names.filter((n) => n.endsWith("-enc.wav")).map((n) => join(dir, n)),
  };
}
