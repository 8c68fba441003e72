/**
 * The Deepgram live-transcription (wss /v1/listen) message model, from its public API reference.
 * Server -> client JSON text frames:
 *   {"type":"Results","is_final","speech_final","from_finalize","channel":{"alternatives":[{"transcript"}]}}
 *   {"type":"Metadata","request_id",...}   {"type":"UtteranceEnd","last_word_end"}   {"type":"SpeechStarted"}
 *   {"type":"Error","description","message","variant"}  (some deployments report errors this way)
 * Client -> server: binary audio frames, and JSON text frames KeepAlive, Finalize, CloseStream.
 */

export type DeepgramMessage =
  | {
      readonly type: "Results";
      readonly transcript: string;
      readonly isFinal: boolean;
      readonly speechFinal: boolean;
      readonly fromFinalize: boolean;
    }
  | { readonly type: "Metadata"; readonly requestId: string | undefined }
  | { readonly type: "UtteranceEnd" }
  | { readonly type: "SpeechStarted" }
  | { readonly type: "Error"; readonly description: string | undefined };

export type DeepgramControl = { readonly type: "KeepAlive" | "Finalize" | "CloseStream" };

const rec = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** Parses one text frame; undefined for anything malformed or unknown (the caller counts it). */
export function parseDeepgramMessage(text: string): DeepgramMessage | undefined {
  let root: Record<string, unknown> | undefined;
  try {
    root = rec(JSON.parse(text));
  } catch {
    return undefined;
  }
  if (root === undefined) return undefined;
  switch (root.type) {
    case "Results": {
      const alternative = rec((rec(root.channel)?.alternatives as unknown[] | undefined)?.[0]);
      const transcript = alternative?.transcript;
      if (typeof transcript !== "string") return undefined;
      return {
        type: "Results",
        transcript,
        isFinal: root.is_final === true,
        speechFinal: root.speech_final === true,
        fromFinalize: root.from_finalize === true,
      };
    }
    case "Metadata":
      return {
        type: "Metadata",
        requestId: typeof root.request_id === "string" ? root.request_id : undefined,
      };
    case "UtteranceEnd":
      return { type: "UtteranceEnd" };
    case "SpeechStarted":
      return { type: "SpeechStarted" };
    case "Error":
      return {
        type: "Error",
        description: typeof root.description === "string" ? root.description : undefined,
      };
    default:
      return undefined;
  }
}

export interface DeepgramListenOptions {
  readonly model: string;
  readonly language: string;
  readonly sampleRateHz: number;
  readonly interimResults: boolean;
  /** Silence (ms) after which Deepgram marks speech_final; false turns it off. */
  readonly endpointingMs: number | false;
  /** Gap (ms) in words after which Deepgram sends UtteranceEnd (needs interim results; min 1000). */
  readonly utteranceEndMs: number | undefined;
  readonly smartFormat: boolean;
}

/** The listen URL with its documented query parameters. */
export function deepgramListenUrl(baseUrl: string, o: DeepgramListenOptions): URL {
  const url = new URL("/v1/listen", baseUrl);
  const q = url.searchParams;
  q.set("model", o.model);
  q.set("language", o.language);
  q.set("encoding", "linear16");
  q.set("sample_rate", String(o.sampleRateHz));
  q.set("channels", "1");
  q.set("interim_results", String(o.interimResults));
  q.set("endpointing", o.endpointingMs === false ? "false" : String(o.endpointingMs));
  if (o.utteranceEndMs !== undefined && o.interimResults) q.set("utterance_end_ms", String(o.utteranceEndMs));
  q.set("smart_format", String(o.smartFormat));
  return url;
}

/**
 * Deepgram's language code for a BCP 47 tag: English keeps its region (en-US, en-GB, ...), other
 * languages use the primary subtag ("ru-RU" -> "ru").
 */
export function deepgramLanguage(tag: string): string {
  const primary = tag.split(/[-_]/)[0]?.toLowerCase() ?? "en";
  return primary === "en" ? tag.replace("_", "-") : primary;
}
