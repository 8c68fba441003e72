import { randomBytes, randomUUID } from "node:crypto";

/** A globally unique id (UUID v4), used for call records so instances can share one store. */
export function newId(): string {
  return randomUUID();
}

/** A random token of `bytes` random bytes as lowercase hex (SIP tags, branches, cnonces). */
export function randomToken(bytes = 8): string {
  return randomBytes(bytes).toString("hex");
}
