/**
 * Micro-benchmark of the media hot path: SRTP protect + unprotect of one PCMU packet (160-byte
 * payload), and RTP parse/serialize. Prints numbers; asserts nothing.
 *   npx tsx bench/media/srtp-bench.ts
 */
import { parseRtpPacket, type RtpPacket, serializeRtpPacket } from "../../src/media/rtp/rtp-packet.js";
import { generateSrtpMasterKey } from "../../src/media/srtp/srtp-inline-key.js";
import { SrtpSession } from "../../src/media/srtp/srtp-session.js";

/** Prints wall-clock and CPU time (user+sys) per op; CPU time is the steadier figure on a busy host. */
function measure(name: string, iterations: number, unit: "us" | "ns", body: (i: number) => void): void {
  for (let i = 0; i < Math.min(iterations, 20_000); i++) body(i); // warm-up
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) body(i);
  const wallNs = Number(process.hrtime.bigint() - start) / iterations;
  const cpu = process.cpuUsage(cpuStart);
  const cpuNs = ((cpu.user + cpu.system) * 1000) / iterations;
  const fmt = (ns: number): string =>
    unit === "us" ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`;
  console.log(
    `${name.padEnd(50)} wall ${fmt(wallNs).padStart(10)}  cpu ${fmt(cpuNs).padStart(10)}  (${iterations} ops)`,
  );
}

const packet: RtpPacket = {
  marker: false,
  payloadType: 0,
  sequenceNumber: 0,
  timestamp: 0,
  ssrc: 0x12345678,
  csrcs: [],
  payload: new Uint8Array(160).fill(0xd5),
  paddingBytes: 0,
};
const scratch = new Uint8Array(1500);
const wire = serializeRtpPacket(packet);

console.log(`node ${process.version}, ${process.arch}`);
measure("RTP serialize (reused buffer)", 2_000_000, "ns", (i) => {
  serializeRtpPacket({ ...packet, sequenceNumber: i & 0xffff }, scratch);
});
measure("RTP parse", 2_000_000, "ns", () => {
  parseRtpPacket(wire);
});

for (const suite of ["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32"] as const) {
  const key = generateSrtpMasterKey(suite);
  const tx = new SrtpSession({ suite, ...key });
  const rx = new SrtpSession({ suite, ...key });
  let seq = 0;
  const plain = () => {
    seq = (seq + 1) & 0xffff;
    return serializeRtpPacket({ ...packet, sequenceNumber: seq, timestamp: seq * 160 }, scratch);
  };
  measure(`SRTP protect (${suite})`, 200_000, "us", () => {
    tx.protectRtp(plain());
  });
  // A fresh sender so the receiver sees the stream from ROC 0 (as a new SDES call does).
  const txFresh = new SrtpSession({ suite, ...key });
  seq = 0;
  const protectedPackets: Uint8Array[] = [];
  for (let i = 0; i < 200_000; i++) {
    const r = txFresh.protectRtp(plain());
    if (r.ok) protectedPackets.push(r.packet);
  }
  let k = 0;
  measure(`SRTP unprotect (${suite})`, 180_000, "us", () => {
    const p = protectedPackets[k++];
    if (p !== undefined) rx.unprotectRtp(p, true);
  });
  const tx2 = new SrtpSession({ suite, ...key });
  const rx2 = new SrtpSession({ suite, ...key });
  measure(`SRTP protect+unprotect (${suite})`, 200_000, "us", () => {
    const r = tx2.protectRtp(plain());
    if (r.ok) rx2.unprotectRtp(r.packet, true);
  });
  if (rx.counters.authFailures + rx2.counters.authFailures > 0) throw new Error("bench packets failed auth");
}
