/**
 * SRTP crypto suites we implement (RFC 4568 6.2, RFC 3711 5): AES-128 counter mode with
 * HMAC-SHA1, 80- or 32-bit RTP tag. SRTCP always uses the 80-bit tag (RFC 4568 6.2.2:
 * "AES_CM_128_HMAC_SHA1_32 ... the SRTCP authentication tag is 80 bits").
 */

export type SrtpCryptoSuite = "AES_CM_128_HMAC_SHA1_80" | "AES_CM_128_HMAC_SHA1_32";

export interface SrtpSuiteParameters {
  readonly masterKeyBytes: number;
  readonly masterSaltBytes: number;
  readonly sessionAuthKeyBytes: number;
  readonly rtpAuthTagBytes: number;
  readonly rtcpAuthTagBytes: number;
}

export const srtpSuites: Readonly<Record<SrtpCryptoSuite, SrtpSuiteParameters>> = {
  AES_CM_128_HMAC_SHA1_80: {
    masterKeyBytes: 16,
    masterSaltBytes: 14,
    sessionAuthKeyBytes: 20,
    rtpAuthTagBytes: 10,
    rtcpAuthTagBytes: 10,
  },
  AES_CM_128_HMAC_SHA1_32: {
    masterKeyBytes: 16,
    masterSaltBytes: 14,
    sessionAuthKeyBytes: 20,
    rtpAuthTagBytes: 4,
    rtcpAuthTagBytes: 10,
  },
};

/** Suites in our order of preference for offers. */
export const implementedSrtpSuites: readonly SrtpCryptoSuite[] = [
  "AES_CM_128_HMAC_SHA1_80",
  "AES_CM_128_HMAC_SHA1_32",
];

/** The suite for an SDP crypto-suite token, or undefined when we do not implement it. */
export function parseSrtpCryptoSuite(name: string): SrtpCryptoSuite | undefined {
  return name === "AES_CM_128_HMAC_SHA1_80" || name === "AES_CM_128_HMAC_SHA1_32" ? name : undefined;
}
