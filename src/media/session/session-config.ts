/**
 * Turns a NegotiatedMedia (the SDP offer/answer result) into what a media session runs: codec
 * instances, SRTP contexts (our key protects what we send, the peer's key unprotects what we
 * receive — RFC 4568 6.1), destinations and direction. Throws RingagentError when the negotiated
 * media cannot be run (a configuration problem, not packet input).
 */
import { RingagentError } from "../../shared/index.js";
import { silentFrame } from "../audio/audio-frame.js";
import { type CodecFactoryOptions, createCodec } from "../codecs/codec-registry.js";
import type { AudioCodec } from "../codecs/codec-types.js";
import type { NegotiatedMedia } from "../sdp/sdp-negotiation-types.js";
import { parseInlineKeyParams } from "../srtp/srtp-inline-key.js";
import { SrtpSession } from "../srtp/srtp-session.js";
import type { MediaEndpoint } from "./media-session-types.js";

export interface ResolvedMedia {
  readonly negotiated: NegotiatedMedia;
  /** Identifies codec + payload types: a change needs new codec state. */
  readonly codecKey: string;
  /** Identifies both SRTP keys: a change needs new crypto contexts. */
  readonly keyKey: string;
  readonly canSend: boolean;
  readonly canReceive: boolean;
  /** Undefined when the SDP address is unspecified (0.0.0.0 / ::, RFC 3264 8.4 old-style hold). */
  readonly remoteRtp: MediaEndpoint | undefined;
  readonly remoteRtcp: MediaEndpoint | undefined;
}

function isUnspecified(address: string): boolean {
  return address === "0.0.0.0" || address === "::" || address === "";
}

export function resolveNegotiatedMedia(n: NegotiatedMedia): ResolvedMedia {
  const c = n.codec;
  const rtcp = n.rtcpMux
    ? n.remoteRtp
    : (n.remoteRtcp ?? { address: n.remoteRtp.address, port: n.remoteRtp.port + 1 });
  return {
    negotiated: n,
    codecKey: `${c.name.toLowerCase()}/${c.clockRateHz}/${c.payloadType}/${c.fmtp ?? ""}/${n.telephoneEventPayloadType ?? ""}/${n.telephoneEventClockRateHz ?? ""}/${n.comfortNoisePayloadType ?? ""}`,
    keyKey: n.srtp === undefined ? "" : `${n.srtp.suite}|${n.srtp.localKeyParams}|${n.srtp.remoteKeyParams}`,
    canSend: n.direction === "sendrecv" || n.direction === "sendonly",
    canReceive: n.direction === "sendrecv" || n.direction === "recvonly",
    remoteRtp: isUnspecified(n.remoteRtp.address) || n.remoteRtp.port === 0 ? undefined : n.remoteRtp,
    remoteRtcp: isUnspecified(rtcp.address) || rtcp.port === 0 ? undefined : rtcp,
  };
}

/** A codec instance for the negotiated codec (call twice: one encoder, one decoder). */
export function createNegotiatedCodec(n: NegotiatedMedia, options: CodecFactoryOptions): AudioCodec {
  const codec = createCodec(n.codec.name, n.codec.clockRateHz, options);
  if (codec === undefined) {
    throw new RingagentError(
      "media_codec_unsupported",
      `codec ${n.codec.name}/${n.codec.clockRateHz} is not implemented`,
    );
  }
  return codec;
}

export interface SrtpPair {
  /** Our key: protects what we send. */
  readonly outbound: SrtpSession;
  /** The peer's key: unprotects what we receive. */
  readonly inbound: SrtpSession;
}

export function createSrtpPair(n: NegotiatedMedia): SrtpPair | undefined {
  if (n.srtp === undefined) return undefined;
  const suite = n.srtp.suite;
  const local = parseInlineKeyParams(n.srtp.localKeyParams, suite);
  const remote = parseInlineKeyParams(n.srtp.remoteKeyParams, suite);
  if (!local.ok || !remote.ok) {
    throw new RingagentError(
      "media_srtp_key",
      `unusable SDES key parameters (${local.ok ? "remote" : "local"})`,
    );
  }
  return {
    outbound: new SrtpSession({ suite, masterKey: local.key.masterKey, masterSalt: local.key.masterSalt }),
    inbound: new SrtpSession({ suite, masterKey: remote.key.masterKey, masterSalt: remote.key.masterSalt }),
  };
}

/**
 * The payload of one silent frame, shared by every session with the codec, or undefined when
 * silence must go through the session's own encoder. G.711 is stateless, so one payload fits all.
 * Opus packets decode on their own; a warmed-up encoder's silence packet stands in for encoding
 * silence per session (an Opus encode costs ~0.3 ms, too much for hundreds of idle calls).
 * G.722 is ADPCM: encoder and decoder state must follow the same codewords, so it is encoded live.
 */
const silenceCache = new Map<string, Uint8Array | undefined>();

export function sharedSilencePayload(
  n: NegotiatedMedia,
  options: CodecFactoryOptions,
): Uint8Array | undefined {
  const name = n.codec.name.toLowerCase();
  if (name !== "pcmu" && name !== "pcma" && name !== "opus") return undefined;
  const key = `${name}/${n.codec.clockRateHz}/${options.opusSampleRateHz ?? ""}/${options.opusBitrateBps ?? ""}`;
  if (silenceCache.has(key)) return silenceCache.get(key);
  const codec = createCodec(n.codec.name, n.codec.clockRateHz, options);
  let payload: Uint8Array | undefined;
  if (codec !== undefined) {
    const frame = silentFrame(codec.sampleRateHz);
    for (let i = 0; i < 10; i++) payload = codec.encode(frame);
    payload = payload === undefined ? undefined : Uint8Array.from(payload);
  }
  silenceCache.set(key, payload);
  return payload;
}
