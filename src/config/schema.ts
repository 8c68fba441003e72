import { z } from "zod";
import { turnSchema, vadSchema } from "./agent-turn-schema.js";
import { parseListenSpec } from "./listen-spec.js";

/**
 * The configuration model (design.md "Lines and agents"): a *line* is where calls come from, an
 * *agent* is who answers them. Every object is strict so a misspelt field is reported, not ignored.
 * Defaults are declared here once; `ringagent.example.yaml` documents every field.
 */

const listen = z.string().superRefine((text, ctx) => {
  const parsed = parseListenSpec(text);
  if ("problem" in parsed) ctx.addIssue({ code: "custom", message: parsed.problem });
});

const hostPort = z
  .string()
  .regex(
    /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/,
    "must be HOST or HOST:PORT (IPv6 as [addr]:port)",
  );

const secret = z.string().min(1, "is empty");
const srtpPolicy = z.enum(["off", "optional", "mandatory"]);
const sipTransport = z.enum(["udp", "tcp", "tls", "ws", "wss"]);
export const codecNames = ["opus", "G722", "PCMU", "PCMA"] as const;

const callerRules = z.strictObject({
  /** Caller numbers or SIP users (exact, or a prefix ending in *) that may call; empty = everyone. */
  allow: z.array(z.string().min(1)).default([]),
  /** Callers that are always declined (checked before allow). */
  deny: z.array(z.string().min(1)).default([]),
});

const lineCommon = {
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, "use letters, digits, - and _ only"),
  agent: z.string().min(1),
  maxConcurrentCalls: z.number().int().min(1).max(10_000).default(20),
  answerDelayMs: z.number().int().min(0).max(60_000).default(0),
  callers: callerRules.default({ allow: [], deny: [] }),
  codecs: z.array(z.enum(codecNames)).min(1).optional(),
};

const localLine = z.strictObject({
  ...lineCommon,
  kind: z.literal("local"),
  listen: z.array(listen).min(1).default(["udp:127.0.0.1:5060", "tcp:127.0.0.1:5060"]),
  srtp: srtpPolicy.default("optional"),
});

const tlsOptions = z.strictObject({
  /** Extra CA bundle (PEM file) to trust for the registrar's certificate. */
  caFile: z.string().optional(),
  /** Certificate checking is on; set false only for a test registrar with a self-signed certificate. */
  verifyCertificate: z.boolean().default(true),
});

const sipAccountLine = z.strictObject({
  ...lineCommon,
  kind: z.literal("sip-account"),
  /** Registrar/domain, e.g. pbx.example.com or 10.0.0.5:5060. */
  registrar: hostPort,
  /** SIP domain of the address-of-record when it differs from the registrar host. */
  domain: z.string().min(1).optional(),
  username: z.string().min(1),
  authUsername: z.string().min(1).optional(),
  password: secret,
  transport: sipTransport.default("udp"),
  outboundProxy: hostPort.optional(),
  outboundProxyBackup: hostPort.optional(),
  registerExpiresS: z.number().int().min(60).max(86_400).default(600),
  /** Local bind address for SIP (default: 0.0.0.0 with a free port). */
  listen: listen.optional(),
  tls: tlsOptions.default({ verifyCertificate: true }),
  srtp: srtpPolicy.default("optional"),
});

const sipTrunkLine = z.strictObject({
  ...lineCommon,
  kind: z.literal("sip-trunk"),
  listen: z.array(listen).min(1),
  /** Peers (IP or CIDR) allowed to send INVITEs; everything else gets 403 and is counted. */
  allowPeers: z.array(z.string().min(1)).min(1, "must list at least one peer (IP or CIDR)"),
  auth: z
    .strictObject({ username: z.string().min(1), password: secret, realm: z.string().optional() })
    .optional(),
  srtp: srtpPolicy.default("optional"),
});

const ringcentralLine = z.strictObject({
  ...lineCommon,
  kind: z.literal("ringcentral"),
  ringcentral: z.strictObject({
    server: z.url().default("https://platform.ringcentral.com"),
    clientId: z.string().min(1),
    clientSecret: secret,
    jwt: secret,
    /** The "Existing Phone" (OtherPhone) device to register as; discovered when omitted. */
    deviceId: z.string().min(1).optional(),
    /** Region of the TLS outbound proxy to use from the device's sip-info. */
    region: z.string().default("NA"),
    verifyCertificate: z.boolean().default(true),
    /** How telephony-session events arrive: WebSocket (default), WebHook through our HTTP server, or none. */
    events: z.enum(["websocket", "webhook", "none"]).default("websocket"),
    /** WebHook delivery (events: webhook): RingCentral POSTs to `address`, we serve `path`. */
    webhook: z
      .strictObject({
        /** Public https URL RingCentral posts to; when it has no path, `path` is appended. */
        address: z.url().optional(),
        /** Where our HTTP server takes the POSTs (default /webhooks/ringcentral/<line name>). */
        path: z
          .string()
          .regex(/^\/[A-Za-z0-9._~/-]*$/, "must be a URL path starting with /")
          .optional(),
        /** Checked on every notification (RingCentral's `verificationToken`); from ${ENV}. */
        verificationToken: secret.optional(),
      })
      .optional(),
  }),
  srtp: srtpPolicy.default("mandatory"),
});

export const lineSchema = z.discriminatedUnion("kind", [
  localLine,
  sipAccountLine,
  sipTrunkLine,
  ringcentralLine,
]);

const providerOptions = <const T extends readonly [string, ...string[]]>(providers: T) =>
  z.looseObject({ provider: z.enum(providers) });

const echoAgent = z.strictObject({
  kind: z.literal("echo"),
  /** How long after hearing it the caller's audio is played back. */
  delayMs: z.number().int().min(0).max(5000).default(200),
});

const playbackAgent = z.strictObject({
  kind: z.literal("playback"),
  /** WAV file played to the caller (any PCM16 rate, mono). */
  file: z.string().min(1),
  /** Directory where the caller's audio is recorded, one WAV per call. */
  recordDir: z.string().min(1).optional(),
  /** Hang up after the file has played (otherwise loop until the caller hangs up). */
  hangupAfterPlay: z.boolean().default(false),
});

export const toolNames = ["transfer", "end_call", "take_message", "send_dtmf", "lookup"] as const;

const conversationAgent = z.strictObject({
  kind: z.literal("conversation"),
  language: z.string().default("en-US"),
  greeting: z.string().default("Thanks for calling. How can I help?"),
  instructions: z.string().default("You are a helpful, brief telephone receptionist."),
  stt: providerOptions(["pocketsphinx", "sherpa-onnx", "deepgram", "openai"]).default({
    provider: "pocketsphinx",
  }),
  /** `openai-realtime`: speech-to-speech (the model hears and speaks; stt/tts are not used for the call). */
  llm: providerOptions(["script", "openai", "llama-cpp", "openai-realtime"]).default({ provider: "script" }),
  tts: providerOptions(["flite", "espeak-ng", "openai", "elevenlabs"]).default({ provider: "flite" }),
  tools: z.array(z.enum(toolNames)).default(["end_call"]),
  /** Names the transfer tool may use (`operator`, `sales`...) -> a SIP URI, number or extension. */
  transferTargets: z.record(z.string().min(1), z.string().min(1)).default({}),
  /** Knowledge file for the lookup tool: YAML (`- q: ... a: ...`) or markdown (`## question` + answer). */
  knowledge: z.string().min(1).optional(),
  /** Voice activity detection (agent-turn-schema.ts); omitted fields keep the pipeline defaults. */
  vad: vadSchema.default({ kind: "energy" }),
  /** Endpointing, re-prompts and barge-in timing; omitted fields keep the pipeline defaults. */
  turn: turnSchema.default({}),
});

/** An agent without `kind` is a conversation agent. */
export const agentSchema = z.preprocess(
  (value) =>
    value !== null && typeof value === "object" && !Array.isArray(value) && !("kind" in value)
      ? { ...value, kind: "conversation" }
      : value,
  z.discriminatedUnion("kind", [echoAgent, playbackAgent, conversationAgent]),
);

export const lineKinds = ["local", "sip-account", "sip-trunk", "ringcentral"] as const;
export const agentKinds = ["echo", "playback", "conversation"] as const;

const configObject = z.strictObject({
  /** Names this process in the shared store; must stay the same across restarts (default: host name). */
  instance: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, "use letters, digits, ., - and _")
    .optional(),
  lines: z.array(lineSchema).min(1, "needs at least one line"),
  agents: z.record(
    z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, "agent names use letters, digits, - and _"),
    agentSchema,
  ),
  sip: z
    .strictObject({
      userAgent: z.string().default("ringagent"),
      t1Ms: z.number().int().min(50).max(10_000).default(500),
      t2Ms: z.number().int().min(500).max(60_000).default(4000),
      t4Ms: z.number().int().min(500).max(60_000).default(5000),
    })
    .default({ userAgent: "ringagent", t1Ms: 500, t2Ms: 4000, t4Ms: 5000 }),
  media: z
    .strictObject({
      rtpPortMin: z.number().int().min(1024).max(65_534).default(20_000),
      rtpPortMax: z.number().int().min(1025).max(65_535).default(30_000),
      codecs: z.array(z.enum(codecNames)).min(1).default(["opus", "G722", "PCMU", "PCMA"]),
      /** No RTP from the peer for this long ends the call (media timeout). */
      mediaTimeoutMs: z.number().int().min(1000).default(30_000),
    })
    .default({
      rtpPortMin: 20_000,
      rtpPortMax: 30_000,
      codecs: ["opus", "G722", "PCMU", "PCMA"],
      mediaTimeoutMs: 30_000,
    }),
  http: z
    .strictObject({
      listen: hostPort.default("127.0.0.1:8080"),
      /** Bearer token for the admin API; from ${RINGAGENT_API_TOKEN} when omitted. */
      token: secret.optional(),
      enabled: z.boolean().default(true),
    })
    .default({ listen: "127.0.0.1:8080", enabled: true }),
  store: z
    .discriminatedUnion("kind", [
      z.strictObject({ kind: z.literal("sqlite"), path: z.string().default("./data/ringagent.db") }),
      z.strictObject({ kind: z.literal("postgres"), url: secret }),
    ])
    .default({ kind: "sqlite", path: "./data/ringagent.db" }),
  recordings: z
    .strictObject({
      enabled: z.boolean().default(false),
      dir: z.string().default("./data/recordings"),
      retentionDays: z.number().int().min(1).default(30),
    })
    .default({ enabled: false, dir: "./data/recordings", retentionDays: 30 }),
  log: z
    .strictObject({
      level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
      pretty: z.boolean().optional(),
    })
    .default({ level: "info" }),
});

/** Rules across fields of the whole configuration. */
export const configSchema = configObject.superRefine((config, ctx) => {
  config.lines.forEach((line, i) => {
    if (line.kind !== "ringcentral" || line.ringcentral.events !== "webhook") return;
    const at = ["lines", i, "ringcentral"];
    const webhook = line.ringcentral.webhook;
    if (webhook?.address === undefined) {
      ctx.addIssue({
        code: "custom",
        path: [...at, "webhook", "address"],
        message:
          "required with events: webhook — fix: set webhook.address to the public https URL RingCentral posts to",
      });
    }
    if (webhook?.verificationToken === undefined) {
      ctx.addIssue({
        code: "custom",
        path: [...at, "webhook", "verificationToken"],
        message:
          "required with events: webhook — fix: set webhook.verificationToken: ${RC_WEBHOOK_TOKEN} (any long random string)",
      });
    }
    if (!config.http.enabled) {
      ctx.addIssue({
        code: "custom",
        path: [...at, "events"],
        message:
          "webhook needs the HTTP server, which is disabled — fix: set http.enabled: true (or use events: websocket)",
      });
    }
  });
});

export type RingagentConfig = z.infer<typeof configSchema>;
export type LineConfig = z.infer<typeof lineSchema>;
export type AgentConfig = z.infer<typeof agentSchema>;

/** Field names that hold secrets: they must come from ${ENV} or ${file:...}, never literal YAML. */
export const secretFields: ReadonlySet<string> = new Set([
  "password",
  "clientSecret",
  "jwt",
  "token",
  "verificationToken",
  "url",
  "apiKey",
]);
