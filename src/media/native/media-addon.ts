/**
 * The media engine's native hot path (native/media, built by `npm install`): UDP send on the
 * socket's own descriptor, and SRTP's AES-CM keystream and HMAC-SHA1 tag through the OpenSSL that
 * node itself links (see the C file for why). Optional: when the addon is not built, fails to load,
 * or `RINGAGENT_MEDIA_NATIVE=off` is set, the pure-JS engine (same results, more CPU) is used.
 * `mediaAddonStatus()` says which and why.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { findUpwards } from "../../shared/index.js";

/** Opaque handles owned by the addon (freed by the GC). */
export type AesCmHandle = { readonly __brand: "AesCm" };
export type HmacHandle = { readonly __brand: "Hmac" };

export interface MediaAddon {
  /** struct sockaddr_in/in6 bytes for an IP literal, or null when `address` is not one. */
  sockaddr(address: string, port: number): Uint8Array | null;
  /** sendto() without blocking: bytes sent, or -errno (-11 EAGAIN: socket buffer full, dropped). */
  sendTo(fd: number, data: Uint8Array, offset: number, length: number, sockaddr: Uint8Array): number;
  aesCmCreate(key: Uint8Array, salt: Uint8Array): AesCmHandle;
  aesCmXor(
    cm: AesCmHandle,
    buf: Uint8Array,
    start: number,
    end: number,
    ssrc: number,
    indexHigh16: number,
    indexLow32: number,
  ): void;
  hmacSha1Create(key: Uint8Array): HmacHandle;
  hmacSha1Sign(
    hmac: HmacHandle,
    data: Uint8Array,
    start: number,
    end: number,
    trailer32: number,
    out: Uint8Array,
    at: number,
    tagBytes: number,
  ): void;
  hmacSha1Verify(
    hmac: HmacHandle,
    data: Uint8Array,
    start: number,
    end: number,
    trailer32: number,
    tag: Uint8Array,
    at: number,
    tagBytes: number,
  ): boolean;
}

export interface MediaAddonStatus {
  readonly engine: "native" | "js";
  /** Where the addon was loaded from (native), or why the JS engine is used. */
  readonly detail: string;
}

export const mediaAddonBuildCommand = "cd native/media && npx node-gyp rebuild --nodedir=/usr";
const addonRelativePath = join("native", "media", "build", "Release", "media_addon.node");
const functionNames = [
  "sockaddr",
  "sendTo",
  "aesCmCreate",
  "aesCmXor",
  "hmacSha1Create",
  "hmacSha1Sign",
  "hmacSha1Verify",
] as const;

/** Finds the built addon by walking up from this module (works from src/ with tsx and from dist/). */
function findAddonPath(): string | undefined {
  return findUpwards(import.meta.url, addonRelativePath);
}

function isAddon(value: unknown): value is MediaAddon {
  if (typeof value !== "object" || value === null) return false;
  return functionNames.every((name) => typeof (value as Record<string, unknown>)[name] === "function");
}

interface Loaded {
  /** The built addon, whether or not it is the default engine. */
  readonly addon: MediaAddon | undefined;
  readonly status: MediaAddonStatus;
}

let loaded: Loaded | undefined;

function loadAddon(): { addon: MediaAddon; path: string } | { problem: string } {
  const path = findAddonPath();
  if (path === undefined)
    return { problem: `the native media addon is not built (${mediaAddonBuildCommand})` };
  try {
    const value: unknown = createRequire(import.meta.url)(path);
    if (isAddon(value)) return { addon: value, path };
    return { problem: `the native media addon at ${path} is incomplete` };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { problem: `the native media addon failed to load: ${reason}` };
  }
}

function load(): Loaded {
  const result = loadAddon();
  const addon = "addon" in result ? result.addon : undefined;
  const setting = process.env.RINGAGENT_MEDIA_NATIVE?.trim().toLowerCase();
  if (setting === "off" || setting === "0" || setting === "false") {
    return { addon, status: { engine: "js", detail: "RINGAGENT_MEDIA_NATIVE=off" } };
  }
  if ("problem" in result) return { addon, status: { engine: "js", detail: result.problem } };
  return { addon, status: { engine: "native", detail: result.path } };
}

/** The addon when it is this process's engine (the default for new sessions), else undefined. */
export function mediaAddon(): MediaAddon | undefined {
  loaded ??= load();
  return loaded.status.engine === "native" ? loaded.addon : undefined;
}

/** The addon if it is built and loads, also when RINGAGENT_MEDIA_NATIVE=off (asked for by name). */
export function builtMediaAddon(): MediaAddon | undefined {
  loaded ??= load();
  return loaded.addon;
}

/** Which media engine this process uses, and why. */
export function mediaAddonStatus(): MediaAddonStatus {
  loaded ??= load();
  return loaded.status;
}
