/**
 * The composition root: the only place that wires concrete implementations together.
 * `ringagent` (bin/ringagent.js) calls {@link main}; tests and benchmarks call {@link startRingagent},
 * which returns a handle with the bound addresses and `stop()`.
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import {
  CallJournal,
  type ConversationAgentConfig,
  type ConversationAgentOptions,
  callControlTarget,
  createConversationAgent,
  createDiagnosticAgent,
  createRealtimeAgent,
  isRealtimeAgent,
  type ProviderFactory,
  type RealtimeAgentOptions,
  RingCentralCallLink,
  resolveTransferTarget,
  runCallCommand,
  runSimulation,
} from "./agent/index.js";
import {
  baseDoctorChecks,
  type CallRequest,
  type CliIo,
  type EmulatorRequest,
  pocketsphinxModelDir,
  pocketsphinxModelIn,
  runCli,
  runSimulateCommand,
  runVoicesCommand,
  type Simulator,
  type VoiceCatalog,
} from "./cli/index.js";
import type { AgentConfig, LineConfig, RingagentConfig } from "./config/index.js";
import { defaultDevices, defaultSipInfo, runEmulatorCommand } from "./emulator/index.js";
import {
  createHttpServer,
  createMetrics,
  type HttpServer,
  type LiveCallActionResult,
  type Metrics,
  type ReadinessCheck,
  storeReadiness,
} from "./http/index.js";
import {
  addonBuildCommand,
  CachingTtsProvider,
  createLlmProvider,
  createSttProvider,
  createTtsProvider,
  EspeakTtsProvider,
  FliteTtsProvider,
  type FliteVoice,
  listVoices,
  loadConversationScript,
  PocketsphinxSttProvider,
  type ProviderContext,
  RealtimeSession,
  realtimeSessionOptions,
  ScriptLlmProvider,
  type SttProvider,
  speakSample,
  type ToolSpec,
  type TtsProvider,
} from "./pipeline/index.js";
import { RingCentralLine, type WebhookReceiver, webhookPlugin } from "./ringcentral/index.js";
import { ConfigError, createLogger, describeError, type Logger, systemClock } from "./shared/index.js";
import { type SipAddress, SipUserAgent } from "./sip/index.js";
import { applyRetention, type CallStore, PostgresCallStore, SqliteCallStore } from "./store/index.js";
import {
  type CallHandler,
  createTelephony,
  sipOptionsForLine,
  type Telephony,
  type TelephonyLineSpec,
} from "./telephony/index.js";

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

async function openStore(config: RingagentConfig): Promise<CallStore> {
  return config.store.kind === "sqlite"
    ? SqliteCallStore.open({ path: config.store.path })
    : PostgresCallStore.open({ url: config.store.url });
}

function loggerFor(config: RingagentConfig): Logger {
  return createLogger(
    config.log.pretty === undefined
      ? { level: config.log.level }
      : { level: config.log.level, pretty: config.log.pretty },
  );
}

/**
 * Providers from the agent's config through the pipeline's provider selection (OpenAI-compatible,
 * Deepgram, ElevenLabs, llama-cpp, fallbacks...), with the offline engines as builtins: one
 * pocketsphinx per process, flite per agent, a script LLM per call. Every agent's TTS is cached, so
 * its greeting and fixed phrases play at once.
 */
export function providerFactory(
  options: { env?: NodeJS.ProcessEnv; ttsCacheDir?: string } = {},
): ProviderFactory {
  // One recognizer per model folder (stt.modelDir, else RINGAGENT_POCKETSPHINX_MODEL_DIR, else Debian's).
  const sphinx = new Map<string, PocketsphinxSttProvider>();
  const scripts = new Map<string, ReturnType<typeof loadConversationScript>>();
  const shared = new Map<ConversationAgentConfig, { stt: SttProvider; tts: TtsProvider }>();
  const text = (o: Readonly<Record<string, unknown>>, name: string): string | undefined => {
    const v = o[name];
    return typeof v === "string" ? v : undefined;
  };
  const context = (agent: ConversationAgentConfig, kind: string): ProviderContext => ({
    env: options.env ?? process.env,
    clock: systemClock,
    language: agent.language,
    instructions: agent.instructions,
    field: `agents.<agent>.${kind}`,
    builtins: {
      stt: {
        pocketsphinx: (o) => {
          const dir = pocketsphinxModelDir(o, options.env ?? process.env);
          let provider = sphinx.get(dir);
          if (provider === undefined) {
            provider = new PocketsphinxSttProvider({ model: pocketsphinxModelIn(dir) });
            sphinx.set(dir, provider);
          }
          return provider;
        },
      },
      tts: {
        flite: (o) => new FliteTtsProvider({ voice: (text(o, "voice") ?? "slt") as FliteVoice }),
        "espeak-ng": (o) => new EspeakTtsProvider({ voice: text(o, "voice") ?? "ru" }),
      },
      llm: {
        script: (o) => {
          const path = text(o, "script") ?? "";
          let script = scripts.get(path);
          if (script === undefined) {
            script = path.length > 0 ? loadConversationScript(path) : loadConversationScript();
            scripts.set(path, script);
          }
          return new ScriptLlmProvider(script);
        },
      },
    },
  });
  return {
    shared(agent: ConversationAgentConfig) {
      let engines = shared.get(agent);
      if (engines === undefined) {
        const tts = new CachingTtsProvider(
          createTtsProvider(agent.tts, context(agent, "tts")),
          options.ttsCacheDir === undefined ? {} : { dir: options.ttsCacheDir },
        );
        engines = { stt: createSttProvider(agent.stt, context(agent, "stt")), tts };
        shared.set(agent, engines);
      }
      return engines;
    },
    llm: (agent: ConversationAgentConfig) => createLlmProvider(agent.llm, context(agent, "llm")),
  };
}

/** Loopback-only lines get loopback RTP (no external address in our SDP). */
function rtpBindAddressFor(config: RingagentConfig): string | undefined {
  const hosts = config.lines.flatMap((line) => {
    if (line.kind === "local" || line.kind === "sip-trunk") return line.listen.map((l) => l.split(":")[1]);
    return ["external"];
  });
  return hosts.every((h) => h === "127.0.0.1") ? "127.0.0.1" : undefined;
}

export interface StartOptions {
  readonly configPath?: string | undefined;
  readonly logger?: Logger;
  /** Overrides for the conversation agents (tests and benchmarks: pipeline tuning, per-call hooks). */
  readonly conversation?: Partial<Pick<ConversationAgentOptions, "turn" | "bargeIn" | "onCallDone">>;
  /** Overrides for speech-to-speech agents (tests): per-call hooks, connect timeout, environment. */
  readonly realtime?: Partial<Pick<RealtimeAgentOptions, "onCallDone" | "connectTimeoutMs">> & {
    readonly env?: NodeJS.ProcessEnv;
  };
  readonly providers?: ProviderFactory;
  /** How long active calls may run on after stop() before they are hung up (default 10 s). */
  readonly drainTimeoutMs?: number;
}

export interface LineHandle {
  readonly name: string;
  readonly kind: LineConfig["kind"];
  /** Where the line's SIP listens (local and trunk lines). */
  readonly addresses: readonly SipAddress[];
  readonly ua: SipUserAgent | undefined;
}

/** A `ringcentral` line's REST side and its link to the calls and the journal. */
export interface RingCentralLineHandle {
  readonly name: string;
  readonly line: RingCentralLine;
  readonly link: RingCentralCallLink;
}

export interface ServiceHandle {
  readonly config: RingagentConfig;
  readonly logger: Logger;
  readonly store: CallStore;
  readonly telephony: Telephony;
  readonly journal: CallJournal;
  readonly metrics: Metrics;
  readonly http: HttpServer | undefined;
  readonly httpUrl: string | undefined;
  readonly lines: readonly LineHandle[];
  readonly ringcentral: readonly RingCentralLineHandle[];
  /** Stops taking calls, lets active calls finish (up to the drain timeout), unregisters, closes. */
  stop(): Promise<void>;
}

/** Starts every configured line with its agent; resolves once all are listening/registering. */
export async function startRingagent(
  config: RingagentConfig,
  options: StartOptions = {},
): Promise<ServiceHandle> {
  const logger = options.logger ?? loggerFor(config);
  const instance = config.instance ?? hostname();
  logger.info(
    { config: options.configPath ?? "built-in default", version: packageVersion(), instance },
    "ringagent starting",
  );
  // Each conversation agent's LLM is built once before anything is opened, so config and API key
  // errors (e.g. OPENAI_API_KEY unset) stop the start with one clear error, not fail every call.
  const llmCheck = options.providers ?? providerFactory();
  for (const agent of Object.values(config.agents))
    if (agent.kind === "conversation" && !isRealtimeAgent(agent)) llmCheck.llm(agent);
  const store = await openStore(config);
  const interrupted = await store.markInterrupted(instance, Date.now());
  if (interrupted > 0)
    logger.warn({ calls: interrupted }, "calls left active by a previous run marked interrupted");
  if (config.recordings.enabled) {
    const retention = await applyRetention(store, {
      retentionDays: config.recordings.retentionDays,
      nowEpochMs: Date.now(),
      recordingsDir: config.recordings.dir,
    });
    logger.info({ retention }, "retention applied");
  }

  const metrics = createMetrics();
  const telephony = createTelephony({
    rtpPortMin: config.media.rtpPortMin,
    rtpPortMax: config.media.rtpPortMax,
    codecs: config.media.codecs,
    mediaTimeoutMs: config.media.mediaTimeoutMs,
    userAgent: config.sip.userAgent,
    timers: { t1Ms: config.sip.t1Ms, t2Ms: config.sip.t2Ms, t4Ms: config.sip.t4Ms },
    logger,
    ...(rtpBindAddressFor(config) === undefined ? {} : { rtpBindAddress: "127.0.0.1" }),
  });
  const agentOfLine = new Map(config.lines.map((l) => [l.name, l.agent]));
  const journal = new CallJournal({
    store,
    metrics: metrics.recorder,
    instance,
    clock: systemClock,
    logger,
    agentOfLine: (line) => agentOfLine.get(line) ?? "unknown",
  });
  journal.attach(telephony.manager);

  let draining = false;
  const providers =
    options.providers ?? providerFactory({ ttsCacheDir: join(config.recordings.dir, "..", "tts-cache") });
  const handlers = new Map<string, CallHandler>();
  for (const [name, agent] of Object.entries(config.agents)) {
    const handler = await buildAgent(name, agent);
    if (handler !== undefined)
      handlers.set(name, async (call) => {
        // Stopping: a call that slipped in is ended at once (the manager has no 503 switch yet).
        if (draining) return;
        await handler(call);
      });
  }

  async function buildAgent(name: string, agent: AgentConfig): Promise<CallHandler | undefined> {
    if (agent.kind !== "conversation") return createDiagnosticAgent(agent);
    if (isRealtimeAgent(agent)) return buildRealtimeAgent(name, agent);
    const conversation = createConversationAgent({
      name,
      config: agent,
      providers,
      journal,
      metrics: metrics.recorder,
      clock: systemClock,
      logger,
      recordings: { enabled: config.recordings.enabled, dir: config.recordings.dir },
      // RingCentral lines transfer through Call Control once the party is known (REFER otherwise).
      transferRoute: (call) => rcLines.find((h) => h.name === call.lineName)?.link,
      ...options.conversation,
    });
    await conversation.prepare();
    return conversation.handler;
  }

  /** Speech-to-speech (`llm.provider: openai-realtime`): one Realtime session per call. */
  function buildRealtimeAgent(name: string, agent: ConversationAgentConfig): CallHandler {
    const { env: realtimeEnv, ...realtimeHooks } = options.realtime ?? {};
    const sessionOptions = (sampleRateHz: number, tools: readonly ToolSpec[]) =>
      realtimeSessionOptions(agent.llm, {
        env: realtimeEnv ?? process.env,
        clock: systemClock,
        language: agent.language,
        instructions: agent.instructions,
        field: `agents.${name}.llm`,
        sampleRateHz,
        tools,
      });
    sessionOptions(16_000, []); // config and API key errors surface at start, not per call
    return createRealtimeAgent({
      name,
      config: agent,
      createSession: (sampleRateHz, tools) => new RealtimeSession(sessionOptions(sampleRateHz, tools)),
      journal,
      metrics: metrics.recorder,
      clock: systemClock,
      logger,
      recordings: { enabled: config.recordings.enabled, dir: config.recordings.dir },
      ...realtimeHooks,
    }).handler;
  }

  const lines: LineHandle[] = [];
  const ringcentral: RingCentralLine[] = [];
  const rcLines: RingCentralLineHandle[] = [];
  for (const line of config.lines) {
    const handler = handlers.get(line.agent);
    if (handler === undefined)
      throw new ConfigError([`lines.${line.name}.agent: no agent named ${line.agent}`]);
    const spec = line.kind === "ringcentral" ? await ringCentralSpec(line) : line;
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

  /** RingCentral: REST login -> device SIP credentials -> a sip-account-like TLS registration. */
  async function ringCentralSpec(
    line: Extract<LineConfig, { kind: "ringcentral" }>,
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

  const readiness = async (): Promise<ReadinessCheck[]> => {
    const checks: ReadinessCheck[] = [await storeReadiness(store)];
    for (const line of lines) {
      const state = line.ua?.registrationState;
      const ok = draining ? false : state === undefined ? line.addresses.length > 0 : state === "registered";
      checks.push({
        name: `line ${line.name}`,
        ok,
        ...(ok ? {} : { detail: draining ? "stopping" : `registration ${state ?? "not listening"}` }),
      });
    }
    for (const [name, why] of webhookFailures)
      checks.push({ name: `ringcentral events ${name}`, ok: false, detail: `webhook subscription: ${why}` });
    return checks;
  };

  const live = {
    hangUp: async (callId: string): Promise<LiveCallActionResult> => {
      const call = telephony.manager.getCall(callId);
      if (call === undefined) return { ok: false, reason: "not_live" };
      await call.hangup();
      return { ok: true };
    },
    transfer: async (callId: string, to: string): Promise<LiveCallActionResult> => {
      const call = telephony.manager.getCall(callId);
      if (call === undefined) return { ok: false, reason: "not_live" };
      if (call.state !== "active" && call.state !== "on_hold")
        return { ok: false, reason: "wrong_state", state: call.state };
      // RingCentral: Call Control (REST) once the party is known; SIP REFER otherwise.
      const link = rcLines.find((h) => h.name === call.lineName)?.link;
      const rcTarget = callControlTarget(to);
      if (link?.partyOf(callId) !== undefined && rcTarget !== undefined) {
        const result = await link.transfer(callId, rcTarget);
        return result.outcome === "success"
          ? { ok: true }
          : { ok: false, reason: "wrong_state", state: `call_control_${result.errorCode ?? result.reason}` };
      }
      const target = resolveTransferTarget(to, {}, call.signaling.remoteUri);
      if (target === undefined) return { ok: false, reason: "wrong_state", state: "bad_target" };
      const result = await call.transfer(target);
      return result.outcome === "success"
        ? { ok: true }
        : { ok: false, reason: "wrong_state", state: `refer_${result.status}` };
    },
  };

  const webhooks = webhookLines(config);
  /** Webhook subscriptions that failed (line name -> why); /readyz reports them. */
  const webhookFailures = new Map<string, string>();
  let http: HttpServer | undefined;
  let httpUrl: string | undefined;
  if (config.http.enabled) {
    http = createHttpServer({
      webhookPaths: webhooks.map((w) => w.path),
      listen: config.http.listen,
      token: config.http.token,
      store,
      calls: live,
      readiness,
      registry: metrics.registry,
      recordingsDir: config.recordings.dir,
      logger,
    });
    const receivers: Array<{ hook: WebhookLine; rc: RingCentralLine; receiver: WebhookReceiver }> = [];
    for (const hook of webhooks) {
      const rc = rcLines.find((h) => h.name === hook.name)?.line;
      if (rc === undefined) continue;
      const receiver = rc.webhookReceiver(hook.verificationToken);
      await http.app.register(webhookPlugin(receiver, hook.path));
      receivers.push({ hook, rc, receiver });
    }
    const bound = await http.listen();
    httpUrl = bound.url;
    logger.info({ url: bound.url, access: http.accessMode }, "http api listening");
    // RingCentral validates the address at once, so subscribe only once we listen.
    for (const { hook, rc } of receivers) {
      try {
        await rc.subscribeWebhook(hook.address, hook.verificationToken);
        logger.info({ line: hook.name, path: hook.path }, "ringcentral: webhook subscription created");
      } catch (error) {
        webhookFailures.set(hook.name, describeError(error));
        logger.error(
          { line: hook.name, err: describeError(error) },
          "ringcentral: webhook subscription failed: no call events for this line; check that webhook.address reaches webhook.path on this server",
        );
      }
    }
  }
  logger.info("ringagent ready");

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      draining = true;
      const deadline = Date.now() + (options.drainTimeoutMs ?? 10_000);
      while (telephony.manager.activeCalls > 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      try {
        await telephony.close();
        for (const h of rcLines) h.link.close();
        await Promise.allSettled(ringcentral.map((rc) => rc.stop()));
        await journal.flush();
        await http?.close();
        await store.close();
      } catch (error) {
        logger.error({ err: error }, `shutdown: ${describeError(error)}`);
      }
      logger.info("ringagent stopped");
      logger.flush();
    })();
    return stopping;
  };
  return {
    config,
    logger,
    store,
    telephony,
    journal,
    metrics,
    http,
    httpUrl,
    lines,
    ringcentral: rcLines,
    stop,
  };
}

/** A `ringcentral` line in webhook mode: where we serve its receiver and what we subscribe. */
interface WebhookLine {
  readonly name: string;
  readonly path: string;
  /** What RingCentral posts to: `webhook.address`, with `path` appended when it has none. */
  readonly address: string;
  readonly verificationToken: string;
}

function webhookLines(config: RingagentConfig): WebhookLine[] {
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

/** `ringagent start`: runs until SIGINT/SIGTERM. */
export async function startService(
  config: RingagentConfig,
  options: { configPath: string | undefined },
): Promise<void> {
  const service = await startRingagent(config, { configPath: options.configPath });
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      service.logger.info({ signal }, "stopping");
      resolve();
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  });
  await service.stop();
}

/** `ringagent call TARGET`: one call from a line (a local line binds a free port, so it runs beside `start`). */
async function placeCall(config: RingagentConfig, request: CallRequest, io: CliIo): Promise<number> {
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
function voiceCatalog(env: NodeJS.ProcessEnv): VoiceCatalog {
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
function simulator(config: RingagentConfig, env: NodeJS.ProcessEnv): Simulator {
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
async function runEmulator(request: EmulatorRequest, io: CliIo): Promise<number> {
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

export async function main(argv: readonly string[]): Promise<number> {
  return runCli(
    argv,
    {
      start: startService,
      openStore,
      placeCall,
      emulator: runEmulator,
      voices: (config, request, io) => runVoicesCommand(config, request, voiceCatalog(io.env), io),
      simulate: (config, request, io) => runSimulateCommand(config, request, simulator(config, io.env), io),
      doctorChecks: (config) =>
        baseDoctorChecks(config, {
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
        }),
    },
    {
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
      env: process.env,
      version: packageVersion(),
    },
  );
}
