/**
 * SRTP key derivation with key derivation rate 0 (RFC 3711 4.3): each session key is the AES-CM
 * keystream under the master key with IV = (master_salt XOR (label * 2^48)) * 2^16.
 */
import { createCipheriv } from "node:crypto";

/** RFC 3711 4.3.2 labels. */
export const srtpKeyLabel = {
  rtpEncryption: 0,
  rtpAuthentication: 1,
  rtpSalt: 2,
  rtcpEncryption: 3,
  rtcpAuthentication: 4,
  rtcpSalt: 5,
} as const;

export interface SrtpSessionKeys {
  readonly cipherKey: Uint8Array;
  readonly cipherSalt: Uint8Array;
  readonly authKey: Uint8Array;
}

/** Derives `bytes` of key material for `label` (RFC 3711 4.3.1, kdr 0 so r = 0). */
export function deriveSrtpKey(
  masterKey: Uint8Array,
  masterSalt: Uint8Array,
  label: number,
  bytes: number,
): Uint8Array {
  const iv = Buffer.alloc(16);
  iv.set(masterSalt.subarray(0, 14), 0);
  // key_id = label || r (r 48 bits, 0): label sits 7 bytes from the right of the 112-bit salt.
  iv[7] = (iv[7] ?? 0) ^ label;
  const cipher = createCipheriv("aes-128-ctr", masterKey, iv);
  return new Uint8Array(cipher.update(Buffer.alloc(bytes)));
}

/** RTP and RTCP session keys of one master key and salt (RFC 3711 4.3). */
export function deriveSrtpSessionKeys(
  masterKey: Uint8Array,
  masterSalt: Uint8Array,
  authKeyBytes = 20,
): { readonly rtp: SrtpSessionKeys; readonly rtcp: SrtpSessionKeys } {
  if (masterKey.length !== 16 || masterSalt.length !== 14) {
    throw new RangeError("AES-128 SRTP needs a 16-byte master key and 14-byte master salt");
  }
  const derive = (label: number, bytes: number): Uint8Array =>
    deriveSrtpKey(masterKey, masterSalt, label, bytes);
  return {
    rtp: {
      cipherKey: derive(srtpKeyLabel.rtpEncryption, 16),
      cipherSalt: derive(srtpKeyLabel.rtpSalt, 14),
      authKey: derive(srtpKeyLabel.rtpAuthentication, authKeyBytes),
    },
    rtcp: {
      cipherKey: derive(srtpKeyLabel.rtcpEncryption, 16),
      cipherSalt: derive(srtpKeyLabel.rtcpSalt, 14),
      authKey: derive(srtpKeyLabel.rtcpAuthentication, authKeyBytes),
    },
  };
}
