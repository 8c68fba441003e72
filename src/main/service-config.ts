/**
 * Small readings of the configuration that the composition root needs in more than one place: the
 * package version, the call store, the service logger, the RTP bind address and the webhook lines.
 */
import { readFileSync } from "node:fs";
import type { RingagentConfig } from "../config/index.js";
import { createLogger, type Logger } from "../shared/index.js";
import { type CallStore, PostgresCallStore, SqliteCallStore } from "../store/index.js";

export function packageVersion(): string {
  // src/main/ and dist/main/ are both two folders below package.json.
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

export async function openStore(config: RingagentConfig): Promise<CallStore> {
  return config.store.kind === "sqlite"
    ? SqliteCallStore.open({ path: config.store.path })
    : PostgresCallStore.open({ url: config.store.url });
}

export function loggerFor(config: RingagentConfig): Logger {
  return createLogger(
    config.log.pretty === undefined
      ? { level: config.log.level }
      : { level: config.log.level, pretty: config.log.pretty },
  );
}

/** Loopback-only lines get loopback RTP (no external address in our SDP). */
export function rtpBindAddressFor(config: RingagentConfig): string | undefined {
  const hosts = config.lines.flatMap((line) => {
    if (line.kind === "local" || line.kind === "sip-trunk") return line.listen.map((l) => l.split(":")[1]);
    return ["external"];
  });
  return hosts.every((h) => h === "127.0.0.1") ? "127.0.0.1" : undefined;
}

/** A `ringcentral` line in webhook mode: where we serve its receiver and what we subscribe. */
export interface WebhookLine {
  readonly name: string;
  readonly path: string;
  /** What RingCentral posts to: `webhook.address`, with `path` appended when it has none. */
  readonly address: string;
  readonly verificationToken: string;
}

export function webhookLines(config: RingagentConfig): WebhookLine[] {
  return config.lines.flatMap((line) => {
    if (line.kind !== "ringcentral" || line.ringcentral.events !== "webhook") return [];
    const webhook = line.ringcentral.webhook;
    // The schema refuses webhook mode without both.
    if (webhook?.address === undefined || webhook.verificationToken === undefined) return [];
    const path = webhook.path ?? `/webhooks/ringcentral/${line.name}`;
    const url = new URL(webhook.address);
    if (url.pathname === "/") url.pathname = path;
    return [{ name: line.name, path, address: url.toString(), verificationToken: webhook.verificationToken }];
  });
}
