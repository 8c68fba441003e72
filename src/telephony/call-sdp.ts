/**
 * Offer/answer for one call (the seam between sip and media, design.md): keeps our current local
 * description, our SRTP keys (reused across re-INVITEs, RFC 4568 7.1.4 permits keeping them) and
 * turns SDP text into `NegotiatedMedia` for the media session. Pure apart from key generation.
 */
import {
  answerOffer,
  createLocalOrigin,
  createOffer,
  formatInlineKeyParams,
  generateSrtpMasterKey,
  type MediaCapabilities,
  type NegotiatedMedia,
  nextLocalDescription,
  parseSdp,
  processAnswer,
  type SdpDirection,
  type SessionDescription,
  type SrtpPolicy,
  type SrtpSuiteName,
  serializeSdp,
  withDirection,
} from "../media/index.js";
import { randomToken } from "../shared/index.js";

/** Config codec names (src/config/schema.ts) to SDP codec specs, in the order given. */
const codecSpecs: Readonly<Record<string, string>> = {
  opus: "opus/48000/2",
  G722: "G722/8000",
  PCMU: "PCMU/8000",
  PCMA: "PCMA/8000",
};

export function codecSpecsFor(names: readonly string[]): string[] {
  const out: string[] = [];
  for (const name of names) {
    const spec = codecSpecs[name];
    if (spec !== undefined && !out.includes(spec)) out.push(spec);
  }
  return out;
}

export interface CallSdpOptions {
  /** Config codec names in preference order ("opus", "G722", "PCMU", "PCMA"). */
  readonly codecs: readonly string[];
  readonly srtpPolicy: SrtpPolicy;
  /** Our RTP address for c=. */
  readonly address: string;
  /** Our bound RTP port. */
  readonly port: number;
  readonly sessionName?: string;
}

export type SdpOutcome =
  | { readonly ok: true; readonly sdp: string; readonly negotiated: NegotiatedMedia }
  /** For 488 with `Warning: <code> ... "<reason>"` (RFC 3261 20.43). */
  | { readonly ok: false; readonly warningCode: number; readonly reason: string };

const suites: readonly SrtpSuiteName[] = ["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32"];

export class CallSdp {
  readonly #caps: MediaCapabilities;
  readonly #keys = new Map<SrtpSuiteName, string>();
  #local: SessionDescription | undefined;
  #pendingOffer: SessionDescription | undefined;
  #negotiated: NegotiatedMedia | undefined;

  constructor(options: CallSdpOptions) {
    this.#caps = {
      codecs: codecSpecsFor(options.codecs),
      telephoneEvent: true,
      cryptoSuites: suites,
      srtpPolicy: options.srtpPolicy,
      address: options.address,
      port: options.port,
      ptimeMs: 20,
      rtcpMux: true,
      generateKeyParams: (suite) => this.#keyFor(suite),
      ...(options.sessionName !== undefined ? { sessionName: options.sessionName } : {}),
    };
  }

  /** The last media agreement (undefined before the first). */
  get negotiated(): NegotiatedMedia | undefined {
    return this.#negotiated;
  }

  /** Our current local description as text (undefined before the first offer/answer). */
  get localSdp(): string | undefined {
    return this.#local ? serializeSdp(this.#local) : undefined;
  }

  #keyFor(suite: SrtpSuiteName): string {
    let key = this.#keys.get(suite);
    if (key === undefined) {
      key = formatInlineKeyParams(generateSrtpMasterKey(suite));
      this.#keys.set(suite, key);
    }
    return key;
  }

  #origin(): SessionDescription["origin"] {
    return this.#local?.origin ?? createLocalOrigin(String(Date.now()) + randomDigits(), this.#caps.address);
  }

  /**
   * Answers a remote offer (initial INVITE, re-INVITE or UPDATE). `wanted` is our own direction wish
   * (sendonly while we hold the caller). On failure nothing changes.
   */
  answer(offerText: string, wanted: SdpDirection = "sendrecv"): SdpOutcome {
    const parsed = parseSdp(offerText);
    if (!parsed.ok) return { ok: false, warningCode: 399, reason: "malformed SDP" };
    const result = answerOffer({
      offer: parsed.sdp,
      capabilities: this.#caps,
      origin: this.#origin(),
      wantedDirection: wanted,
    });
    if (!result.ok) return { ok: false, warningCode: result.warningCode, reason: result.reason };
    this.#local = nextLocalDescription(this.#local, result.answer);
    this.#negotiated = result.negotiated;
    return { ok: true, sdp: serializeSdp(this.#local), negotiated: result.negotiated };
  }

  /** Our offer: a fresh one, or (re-INVITE) the previous description with a new direction. */
  offer(direction: SdpDirection = "sendrecv"): string {
    const next = this.#local
      ? withDirection(this.#local, direction)
      : createOffer({ capabilities: this.#caps, origin: this.#origin(), direction });
    this.#pendingOffer = next;
    return serializeSdp(next);
  }

  /** Applies the answer to our last `offer()`. */
  processAnswer(answerText: string): SdpOutcome {
    const offer = this.#pendingOffer;
    if (!offer) return { ok: false, warningCode: 399, reason: "no offer outstanding" };
    const parsed = parseSdp(answerText);
    if (!parsed.ok) return { ok: false, warningCode: 399, reason: "malformed SDP" };
    const result = processAnswer(offer, parsed.sdp, this.#caps);
    if (!result.ok) return { ok: false, warningCode: result.warningCode, reason: result.reason };
    this.#local = offer;
    this.#negotiated = result.negotiated;
    return { ok: true, sdp: serializeSdp(offer), negotiated: result.negotiated };
  }
}

function randomDigits(): string {
  return String(Number.parseInt(randomToken(3), 16) % 1000).padStart(3, "0");
}

/**
 * Is the peer holding us (RFC 3264 8.4)? A peer that holds offers sendonly or inactive: it no longer
 * receives, so we may not send although we wanted to. Only meaningful when we wanted to send.
 */
export function peerHolds(negotiated: NegotiatedMedia, weWantedToSend = true): boolean {
  const weSend = negotiated.direction === "sendrecv" || negotiated.direction === "sendonly";
  return weWantedToSend && !weSend;
}
