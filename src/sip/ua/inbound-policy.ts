import { BlockList, isIP } from "node:net";
import { RingagentError } from "../../shared/index.js";
import type { InboundMessage, SipAddress } from "../transport/transport-types.js";

/** Parses `a.b.c.d/n` or `v6::/n` (a bare address means a single host). Config text, not SIP. */
function addCidr(list: BlockList, cidr: string): void {
  const slash = cidr.indexOf("/");
  const address = (slash < 0 ? cidr : cidr.slice(0, slash)).trim();
  const family = isIP(address);
  if (family === 0)
    throw new RingagentError("config_invalid", `inbound.allowedCidrs: not an IP address in "${cidr}"`);
  const max = family === 4 ? 32 : 128;
  const prefix = slash < 0 ? max : Number(cidr.slice(slash + 1));
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max)
    throw new RingagentError("config_invalid", `inbound.allowedCidrs: bad prefix length in "${cidr}"`);
  list.addSubnet(address, prefix, family === 4 ? "ipv4" : "ipv6");
}

/**
 * Which sources may open dialogs with us (design.md: "Inbound INVITEs are accepted only from the
 * registrar/proxy the line trusts or from allow-listed peers"). Everything else is answered 403.
 */
export class InboundPolicy {
  readonly #allowAny: boolean;
  readonly #allowed = new BlockList();
  #trustedHosts: Set<string>;
  #trustedFlows = new Set<string>();

  constructor(options: {
    allowAny?: boolean;
    allowedCidrs?: readonly string[];
    trusted?: readonly SipAddress[];
  }) {
    this.#allowAny = options.allowAny ?? false;
    for (const cidr of options.allowedCidrs ?? []) addCidr(this.#allowed, cidr);
    this.#trustedHosts = new Set((options.trusted ?? []).map((a) => a.host.toLowerCase()));
  }

  /** The line's flow to its proxy: requests arriving on it come from the registrar. */
  trustFlow(flowId: string): void {
    this.#trustedFlows.add(flowId);
  }

  forgetFlow(flowId: string): void {
    this.#trustedFlows.delete(flowId);
  }

  allows(inbound: InboundMessage): boolean {
    if (this.#allowAny) return true;
    if (this.#trustedFlows.has(inbound.flowId)) return true;
    const host = inbound.source.host.toLowerCase();
    if (this.#trustedHosts.has(host)) return true;
    const family = isIP(host);
    if (family === 0) return false;
    return this.#allowed.check(host, family === 4 ? "ipv4" : "ipv6");
  }
}
