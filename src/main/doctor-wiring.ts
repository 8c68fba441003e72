/** `ringagent doctor`: the CLI's base checks with this process's store, pocketsphinx and SIP user agent. */
import { baseDoctorChecks } from "../cli/index.js";
import type { RingagentConfig } from "../config/index.js";
import { addonBuildCommand, PocketsphinxSttProvider } from "../pipeline/index.js";
import { createLogger } from "../shared/index.js";
import { SipUserAgent } from "../sip/index.js";
import { sipOptionsForLine } from "../telephony/index.js";
import { openStore } from "./service-config.js";

export function doctorChecks(config: RingagentConfig): ReturnType<typeof baseDoctorChecks> {
  return baseDoctorChecks(config, {
    openStore,
    env: process.env,
    loadPocketsphinx: (model) => new PocketsphinxSttProvider({ model }),
    pocketsphinxAddonFix: `build it: ${addonBuildCommand}; apt-get install libpocketsphinx-dev libsphinxbase-dev`,
    // The line's own user agent, as `start` builds it, registering once and quietly.
    registrationProbe: async (line) =>
      new SipUserAgent(
        await sipOptionsForLine(line, {
          userAgent: config.sip.userAgent,
          timers: { t1Ms: config.sip.t1Ms, t2Ms: config.sip.t2Ms, t4Ms: config.sip.t4Ms },
          logger: createLogger({ level: "silent" }),
        }),
      ),
  });
}
