import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { RingagentError } from "../../shared/index.js";
import { normalizeHost } from "./flow-types.js";

/** IP literals pass through; host names go through the system resolver (dns.lookup). */
export async function resolveHost(host: string): Promise<string> {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (isIP(bare) !== 0) return normalizeHost(bare);
  try {
    return (await lookup(bare)).address;
  } catch (error) {
    throw new RingagentError("dns_failed", "cannot resolve host", { retryable: true, cause: error });
  }
}
