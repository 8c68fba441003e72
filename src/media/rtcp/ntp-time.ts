/**
 * NTP timestamps for RTCP (RFC 3550 4: seconds since 1900-01-01 in the upper 32 bits, fraction in
 * the lower 32) and the "middle 32 bits" form used by LSR/DLSR (RFC 3550 6.4.1).
 */
import type { NtpTimestamp } from "./rtcp-packet.js";

/** Seconds from 1900-01-01 (NTP epoch) to 1970-01-01 (Unix epoch). */
export const ntpEpochOffsetSeconds = 2_208_988_800;

/** NTP timestamp of a Unix time in ms (wraps in 2036 as NTP era 0 does). */
export function ntpFromUnixMs(unixMs: number): NtpTimestamp {
  const totalSeconds = unixMs / 1000 + ntpEpochOffsetSeconds;
  const whole = Math.floor(totalSeconds);
  return {
    seconds: (whole % 0x1_0000_0000) >>> 0,
    fraction: Math.min(0xffff_ffff, Math.floor((totalSeconds - whole) * 0x1_0000_0000)) >>> 0,
  };
}

/** Unix ms of an NTP timestamp (era 0). */
export function ntpToUnixMs(ntp: NtpTimestamp): number {
  return (ntp.seconds - ntpEpochOffsetSeconds) * 1000 + (ntp.fraction / 0x1_0000_0000) * 1000;
}

/** Middle 32 bits of a 64-bit NTP timestamp: 16.16 fixed-point seconds (RFC 3550 6.4.1 LSR). */
export function ntpMiddle32(ntp: NtpTimestamp): number {
  return (((ntp.seconds & 0xffff) << 16) | (ntp.fraction >>> 16)) >>> 0;
}

/** Converts a 16.16 fixed-point seconds quantity (DLSR, RTT) to ms. */
export function ntpShortToMs(value: number): number {
  return ((value >>> 0) * 1000) / 65536;
}
