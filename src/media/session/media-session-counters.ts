import type { MediaSessionStats } from "./media-session-types.js";

/** The per-session packet counters of {@link MediaSessionStats} that the session counts itself. */
export type MediaSessionCounter = Exclude<
  keyof MediaSessionStats,
  | "packetsLost"
  | "jitterMs"
  | "roundTripTimeMs"
  | "remoteFractionLost"
  | "remoteJitterMs"
  | "late"
  | "concealed"
  | "framesDropped"
  | "dtmfDigitsSent"
  | "rtcpSent"
  | "rtcpMalformed"
  | "ssrcChanges"
  | "badAgentFrames"
  | "jitterBuffer"
>;

export function newMediaSessionCounters(): Record<MediaSessionCounter, number> {
  return {
    packetsSent: 0,
    bytesSent: 0,
    packetsReceived: 0,
    bytesReceived: 0,
    srtpAuthFailures: 0,
    srtpReplays: 0,
    malformed: 0,
    notRtp: 0,
    oversized: 0,
    wrongSsrc: 0,
    wrongPayloadType: 0,
    droppedNotReceiving: 0,
    dtmfDigitsReceived: 0,
    rtcpReceived: 0,
    sendErrors: 0,
    latchChanges: 0,
    latchRejected: 0,
  };
}
