import { once } from "node:events";
import { SipUserAgent, type SipUserAgentOptions } from "../../src/sip/index.js";

/** A minimal SDP body: the SIP layer treats it as opaque bytes. */
export function staticSdp(port: number, direction = "sendrecv"): string {
  return [
    "v=0",
    `o=- ${port} 1 IN IP4 127.0.0.1`,
    "s=-",
    "c=IN IP4 127.0.0.1",
    "t=0 0",
    `m=audio ${port} RTP/AVP 0`,
    "a=rtpmap:0 PCMU/8000",
    `a=${direction}`,
    "",
  ].join("\r\n");
}

/** A UA listening on UDP 127.0.0.1 (port 0) with the given options; returns it and its SIP URI. */
export async function udpAgent(
  user: string,
  options: Partial<SipUserAgentOptions> = {},
): Promise<{ ua: SipUserAgent; uri: string; port: number }> {
  const ua = new SipUserAgent({
    listen: [{ protocol: "udp", host: "127.0.0.1", port: 0 }],
    account: { aor: `sip:${user}@127.0.0.1` },
    inbound: { allowAny: true },
    userAgent: "ringagent-test",
    ...options,
  });
  const [local] = await ua.start();
  if (local === undefined) throw new Error("no listen address");
  return { ua, uri: `sip:${user}@127.0.0.1:${local.port}`, port: local.port };
}

/** Waits for an event with a timeout (rejects after `ms`). */
export async function nextEvent<T extends unknown[]>(
  emitter: { once(event: string, listener: (...args: T) => void): unknown },
  event: string,
  ms = 10_000,
): Promise<T> {
  const signal = AbortSignal.timeout(ms);
  return (await once(emitter as unknown as NodeJS.EventEmitter, event, { signal })) as T;
}
