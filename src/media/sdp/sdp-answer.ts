/** RFC 3264 6: build an answer to a remote offer for one audio stream. Pure: keys come from an injected generator. */
import {
  decideTransport,
  firstCommonCodec,
  matchComfortNoise,
  matchTelephoneEvent,
  remoteDirection,
  remoteEndpoints,
} from "./sdp-media-match.js";
import {
  answerDirection,
  type MediaCapabilities,
  type NegotiatedMedia,
  type SdpRejection,
} from "./sdp-negotiation-types.js";
import type { SdpDirection, SdpMedia, SdpOrigin, SdpRtpMap, SessionDescription } from "./sdp-types.js";

export interface AnswerOfferInput {
  readonly offer: SessionDescription;
  readonly capabilities: MediaCapabilities;
  /** o= for the answer: a fresh origin, or the dialog's previous one (see nextLocalDescription). */
  readonly origin: SdpOrigin;
  /** What we want locally (e.g. "sendonly" while we hold); default sendrecv. */
  readonly wantedDirection?: SdpDirection;
}

export type AnswerOfferResult =
  | { readonly ok: true; readonly answer: SessionDescription; readonly negotiated: NegotiatedMedia }
  | SdpRejection;

/** RFC 3264 6: "An offered stream MAY be rejected in the answer, for any reason. If a stream is rejected,
 * the offerer and answerer MUST NOT generate media ... To reject an offered stream, the port number in
 * the corresponding stream in the answer MUST be set to zero." */
function rejectedMedia(m: SdpMedia): SdpMedia {
  return {
    media: m.media,
    port: 0,
    proto: m.proto,
    formats: m.formats.length > 0 ? m.formats : ["0"],
    otherLines: [],
    bandwidths: [],
    rtpMaps: [],
    fmtps: [],
    rtcpMux: false,
    cryptos: [],
    attributes: [],
  };
}

export function answerOffer(input: AnswerOfferInput): AnswerOfferResult {
  const { offer, capabilities: caps } = input;
  const wanted = input.wantedDirection ?? "sendrecv";
  let negotiated: NegotiatedMedia | undefined;
  let firstRejection: SdpRejection | undefined;
  const answerMedia: SdpMedia[] = [];

  offer.media.forEach((m, index) => {
    if (negotiated || m.media !== "audio" || m.port === 0) {
      answerMedia.push(rejectedMedia(m));
      return;
    }
    const outcome = answerAudio(offer, m, index, caps, wanted);
    if (outcome.ok) {
      negotiated = outcome.negotiated;
      answerMedia.push(outcome.media);
    } else {
      firstRejection ??= outcome;
      answerMedia.push(rejectedMedia(m));
    }
  });

  if (!negotiated) {
    return firstRejection ?? { ok: false, warningCode: 304, reason: "no audio stream offered" };
  }
  const answer: SessionDescription = {
    origin: input.origin,
    sessionName: caps.sessionName ?? "-",
    otherLines: [],
    connection: { netType: "IN", addrType: input.origin.addrType, address: caps.address },
    bandwidths: [],
    timings: [{ start: "0", stop: "0" }],
    attributes: [],
    media: answerMedia,
  };
  return { ok: true, answer, negotiated };
}

function answerAudio(
  offer: SessionDescription,
  m: SdpMedia,
  mediaIndex: number,
  caps: MediaCapabilities,
  wanted: SdpDirection,
): { ok: true; media: SdpMedia; negotiated: NegotiatedMedia } | SdpRejection {
  const transport = decideTransport(m, caps.srtpPolicy, caps.cryptoSuites);
  if (!transport.ok) return transport;
  const codec = firstCommonCodec(m, caps.codecs);
  if (!codec) return { ok: false, warningCode: 305, reason: "no common codec" };
  const rtcpMux = m.rtcpMux && caps.rtcpMux;
  const remote = remoteEndpoints(offer, m, rtcpMux);
  if (!remote) return { ok: false, warningCode: 399, reason: "no connection address" };
  const te = caps.telephoneEvent ? matchTelephoneEvent(m, codec.spec.clockRateHz) : undefined;
  // We can receive CN (played as noise at its level), so we accept it when offered; we never send it.
  const cnPt = matchComfortNoise(m, codec.spec.clockRateHz);
  const direction = answerDirection(remoteDirection(offer, m), wanted);

  const rtpMaps: SdpRtpMap[] = [
    {
      payloadType: codec.payloadType,
      encodingName: codec.encodingName,
      clockRateHz: codec.spec.clockRateHz,
      ...(codec.spec.channels > 1 ? { channels: codec.spec.channels } : {}),
    },
  ];
  const fmtps = codec.fmtp !== undefined ? [{ payloadType: codec.payloadType, parameters: codec.fmtp }] : [];
  const formats = [String(codec.payloadType)];
  if (te !== undefined) {
    formats.push(String(te.payloadType));
    rtpMaps.push({
      payloadType: te.payloadType,
      encodingName: "telephone-event",
      clockRateHz: te.clockRateHz,
    });
    fmtps.push({ payloadType: te.payloadType, parameters: "0-15" });
  }
  if (cnPt !== undefined) {
    formats.push(String(cnPt));
    rtpMaps.push({ payloadType: cnPt, encodingName: "CN", clockRateHz: codec.spec.clockRateHz });
  }
  const localKeyParams = transport.crypto ? caps.generateKeyParams(transport.crypto.suite) : undefined;
  const media: SdpMedia = {
    media: "audio",
    port: caps.port,
    proto: m.proto,
    formats,
    otherLines: [],
    bandwidths: [],
    rtpMaps,
    fmtps,
    ptimeMs: caps.ptimeMs,
    direction,
    rtcpMux,
    cryptos:
      transport.crypto && localKeyParams !== undefined
        ? [
            {
              tag: transport.crypto.tag,
              suite: transport.crypto.suite,
              keyParams: [localKeyParams],
              sessionParams: [],
            },
          ]
        : [],
    attributes: [],
  };
  const negotiated: NegotiatedMedia = {
    mediaIndex,
    codec: {
      name: codec.encodingName,
      clockRateHz: codec.spec.clockRateHz,
      channels: codec.spec.channels,
      payloadType: codec.payloadType,
      ...(codec.fmtp !== undefined ? { fmtp: codec.fmtp } : {}),
    },
    ...(te !== undefined
      ? { telephoneEventPayloadType: te.payloadType, telephoneEventClockRateHz: te.clockRateHz }
      : {}),
    ...(cnPt !== undefined ? { comfortNoisePayloadType: cnPt } : {}),
    remoteRtp: remote.rtp,
    ...(remote.rtcp ? { remoteRtcp: remote.rtcp } : {}),
    rtcpMux,
    direction,
    ...(transport.crypto && localKeyParams !== undefined
      ? {
          srtp: {
            suite: transport.crypto.suite,
            tag: transport.crypto.tag,
            remoteKeyParams: transport.crypto.keyParams[0] ?? "",
            localKeyParams,
          },
        }
      : {}),
    ptimeMs: m.ptimeMs ?? 20,
  };
  return { ok: true, media, negotiated };
}
