/**
 * Starts every configured line on the telephony core with its agent's handler. A `ringcentral` line
 * first logs in over REST for its device's SIP credentials, then registers like a SIP account (TLS),
 * and gets a Call Control link to the calls and the journal.
 */
import { type CallJournal, RingCentralCallLink } from "../agent/index.js";
import type { LineConfig, RingagentConfig } from "../config/index.js";
import { RingCentralLine } from "../ringcentral/index.js";
import { ConfigError, type Logger, systemClock } from "../shared/index.js";
import type { CallHandler, Telephony, TelephonyLineSpec } from "../telephony/index.js";
import type { LineHandle, RingCentralLineHandle } from "./service-handle.js";

export interface LineStartup {
  readonly config: RingagentConfig;
  readonly telephony: Telephony;
  readonly journal: CallJournal;
  readonly logger: Logger;
  readonly handlers: ReadonlyMap<string, CallHandler>;
}

/**
 * Filled as each line starts (calls on an early line may arrive before the last line is up, and see
 * the lines started so far).
 */
export interface StartedLines {
  readonly lines: LineHandle[];
  readonly ringcentral: RingCentralLine[];
  readonly rcLines: RingCentralLineHandle[];
}

export async function startLines(startup: LineStartup, started: StartedLines): Promise<void> {
  const { config, telephony, journal, logger, handlers } = startup;
  const { lines, ringcentral, rcLines } = started;
  for (const line of config.lines) {
    const handler = handlers.get(line.agent);
    if (handler === undefined)
      throw new ConfigError([`lines.${line.name}.agent: no agent named ${line.agent}`]);
    const spec = line.kind === "ringcentral" ? await ringCentralSpec(line, logger, ringcentral) : line;
    const { ua, addresses } = await telephony.addLine(spec, handler);
    lines.push({ name: line.name, kind: line.kind, addresses, ua });
    const rc = line.kind === "ringcentral" ? ringcentral.at(-1) : undefined;
    if (rc !== undefined) {
      const link = new RingCentralCallLink({
        lineName: line.name,
        line: rc,
        journal,
        clock: systemClock,
        logger: logger.child({ line: line.name }),
      });
      link.attach(telephony.manager);
      // Registration health: REST device status vs our REGISTER state (takeover detection).
      ua?.on("registrationState", (state) => rc.setRegistered(state === "registered"));
      rcLines.push({ name: line.name, line: rc, link });
    }
    logger.info({ line: line.name, kind: line.kind, agent: line.agent }, "line started");
  }
}

/** RingCentral: REST login -> device SIP credentials -> a sip-account-like TLS registration. */
async function ringCentralSpec(
  line: Extract<LineConfig, { kind: "ringcentral" }>,
  logger: Logger,
  ringcentral: RingCentralLine[],
): Promise<TelephonyLineSpec> {
  const rc = new RingCentralLine({
    server: line.ringcentral.server,
    clientId: line.ringcentral.clientId,
    clientSecret: line.ringcentral.clientSecret,
    jwt: line.ringcentral.jwt,
    deviceId: line.ringcentral.deviceId,
    region: line.ringcentral.region,
    events: line.ringcentral.events,
    logger: logger.child({ line: line.name }),
  });
  ringcentral.push(rc);
  const { sip } = await rc.start();
  return {
    name: line.name,
    kind: "sip-account",
    maxConcurrentCalls: line.maxConcurrentCalls,
    answerDelayMs: line.answerDelayMs,
    callers: line.callers,
    codecs: line.codecs,
    srtp: line.srtp,
    registrar: `${sip.outboundProxy.host}:${sip.outboundProxy.port}`,
    domain: sip.domain,
    username: sip.username,
    authUsername: sip.authorizationId,
    password: sip.password,
    transport: "tls",
    registerExpiresS: 600,
    tls: { verifyCertificate: line.ringcentral.verifyCertificate },
  };
}
