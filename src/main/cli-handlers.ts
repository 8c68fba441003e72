/** The CLI commands other than `start` and `doctor`, wired to concrete engines: call, voices, simulate, emulator. */
import { runCallCommand, runSimulation } from "../agent/index.js";
import type { CallRequest, CliIo, EmulatorRequest, Simulator, VoiceCatalog } from "../cli/index.js";
import type { RingagentConfig } from "../config/index.js";
import { defaultDevices, defaultSipInfo, runEmulatorCommand } from "../emulator/index.js";
import {
  createTtsProvider,
  FliteTtsProvider,
  type FliteVoice,
  listVoices,
  speakSample,
} from "../pipeline/index.js";
import { createLogger, systemClock } from "../shared/index.js";
import { createTelephony, type TelephonyLineSpec } from "../telephony/index.js";
import { providerFactory } from "./provider-factory.js";
import { rtpBindAddressFor } from "./service-config.js";

/** `ringagent call TARGET`: one call from a line (a local line binds a free port, so it runs beside `start`). */
export async function placeCall(config: RingagentConfig, request: CallRequest, io: CliIo): Promise<number> {
  const line =
    request.line === undefined ? config.lines[0] : config.lines.find((l) => l.name === request.line);
  if (line === undefined || line.kind === "ringcentral") {
    io.err(`ringagent: no SIP line named ${request.line ?? "(first)"} to call from\n`);
    return 2;
  }
  const spec: TelephonyLineSpec = line.kind === "local" ? { ...line, listen: ["udp:127.0.0.1:0"] } : line;
  const telephony = createTelephony({
    rtpPortMin: config.media.rtpPortMin,
    rtpPortMax: config.media.rtpPortMax,
    codecs: config.media.codecs,
    mediaTimeoutMs: config.media.mediaTimeoutMs,
    userAgent: config.sip.userAgent,
    logger: createLogger({ level: "warn" }),
    ...(rtpBindAddressFor(config) === undefined ? {} : { rtpBindAddress: "127.0.0.1" }),
  });
  try {
    await telephony.addLine(spec);
    const result = await runCallCommand(
      telephony.manager,
      { target: request.target, line: line.name, play: request.play, record: request.record },
      (text) => io.out(`${text}\n`),
    );
    return result.exitCode;
  } finally {
    await telephony.close();
  }
}

/** `ringagent voices`: each agent's TTS voices (listVoices) and a spoken sample (speakSample). */
export function voiceCatalog(env: NodeJS.ProcessEnv): VoiceCatalog {
  return {
    list: (agent) => listVoices(agent.tts, env),
    speak: async (agent, text, outWav) => {
      const tts = createTtsProvider(agent.tts, {
        env,
        clock: systemClock,
        language: agent.language,
        instructions: agent.instructions,
        field: "agents.<agent>.tts",
        builtins: {
          tts: {
            flite: (o) =>
              new FliteTtsProvider({ voice: (typeof o.voice === "string" ? o.voice : "slt") as FliteVoice }),
          },
        },
      });
      return speakSample(tts, text, outWav);
    },
  };
}

/** `ringagent simulate`: the agent's own providers (as a call builds them), quiet logs. */
export function simulator(config: RingagentConfig, env: NodeJS.ProcessEnv): Simulator {
  const providers = providerFactory({ env });
  return {
    run: (agentName, agent, input, pacing) =>
      runSimulation({
        agentName,
        config: agent,
        providers,
        input,
        pacing,
        logger: createLogger({ level: config.log.level === "info" ? "warn" : config.log.level }),
      }),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
      return Buffer.concat(chunks).toString("utf8");
    },
  };
}

/** `ringagent emulator`: the RingCentral emulator until SIGINT/SIGTERM (local development). */
export async function runEmulator(request: EmulatorRequest, io: CliIo): Promise<number> {
  const base = defaultSipInfo(request.sipTls);
  const sipInfo = {
    ...base,
    ...(request.sipTls === undefined ? {} : { domain: request.sipTls.split(":")[0] ?? base.domain }),
    ...(request.sipUser === undefined ? {} : { userName: request.sipUser, authorizationId: request.sipUser }),
    ...(request.sipPassword === undefined ? {} : { password: request.sipPassword }),
  };
  const devices = defaultDevices().map((d) => (d.sipInfo === undefined ? d : { ...d, sipInfo }));
  const { emulator, banner } = await runEmulatorCommand({ port: request.port, devices });
  io.out(`${banner.join("\n")}\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await emulator.stop();
  return 0;
}
