/** SDP serializer (RFC 8866 5: fixed line order v o s [other] c b t [other] a, then each m= section). */
import type {
  SdpAttribute,
  SdpBandwidth,
  SdpConnection,
  SdpCrypto,
  SdpMedia,
  SdpOtherLine,
  SessionDescription,
} from "./sdp-types.js";

/** Session-level "other" lines in RFC 8866 order: i u e p come before c=, z k after t=. */
const beforeConnection = new Set(["i", "u", "e", "p"]);

export function serializeSdp(sdp: SessionDescription): string {
  const out: string[] = ["v=0"];
  const o = sdp.origin;
  out.push(`o=${o.username} ${o.sessionId} ${o.sessionVersion} ${o.netType} ${o.addrType} ${o.address}`);
  out.push(`s=${sdp.sessionName === "" ? "-" : sdp.sessionName}`);
  pushOther(out, sdp.otherLines, (l) => beforeConnection.has(l.type));
  if (sdp.connection) out.push(connectionLine(sdp.connection));
  pushBandwidths(out, sdp.bandwidths);
  for (const t of sdp.timings) out.push(`t=${t.start} ${t.stop}`);
  pushOther(out, sdp.otherLines, (l) => !beforeConnection.has(l.type));
  if (sdp.direction) out.push(`a=${sdp.direction}`);
  pushAttributes(out, sdp.attributes);
  for (const m of sdp.media) serializeMedia(out, m);
  return `${out.join("\r\n")}\r\n`;
}

function serializeMedia(out: string[], m: SdpMedia): void {
  const port = m.portCount !== undefined ? `${m.port}/${m.portCount}` : `${m.port}`;
  out.push(`m=${m.media} ${port} ${m.proto}${m.formats.map((f) => ` ${f}`).join("")}`);
  pushOther(out, m.otherLines, () => true);
  if (m.connection) out.push(connectionLine(m.connection));
  pushBandwidths(out, m.bandwidths);
  for (const format of m.formats) {
    const pt = Number(format);
    for (const r of m.rtpMaps) {
      if (r.payloadType !== pt) continue;
      const channels = r.channels !== undefined ? `/${r.channels}` : "";
      out.push(`a=rtpmap:${r.payloadType} ${r.encodingName}/${r.clockRateHz}${channels}`);
    }
    for (const f of m.fmtps) if (f.payloadType === pt) out.push(`a=fmtp:${f.payloadType} ${f.parameters}`);
  }
  if (m.ptimeMs !== undefined) out.push(`a=ptime:${m.ptimeMs}`);
  if (m.maxPtimeMs !== undefined) out.push(`a=maxptime:${m.maxPtimeMs}`);
  if (m.direction) out.push(`a=${m.direction}`);
  if (m.rtcp) {
    const c = m.rtcp.connection;
    out.push(`a=rtcp:${m.rtcp.port}${c ? ` ${c.netType} ${c.addrType} ${c.address}` : ""}`);
  }
  if (m.rtcpMux) out.push("a=rtcp-mux");
  for (const c of m.cryptos) out.push(cryptoLine(c));
  pushAttributes(out, m.attributes);
}

export function cryptoLine(c: SdpCrypto): string {
  const session = c.sessionParams.map((p) => ` ${p}`).join("");
  return `a=crypto:${c.tag} ${c.suite} ${c.keyParams.join(";")}${session}`;
}

function connectionLine(c: SdpConnection): string {
  return `c=${c.netType} ${c.addrType} ${c.address}`;
}

function pushBandwidths(out: string[], bandwidths: readonly SdpBandwidth[]): void {
  for (const b of bandwidths) out.push(`b=${b.type}:${b.kbps}`);
}

function pushAttributes(out: string[], attributes: readonly SdpAttribute[]): void {
  for (const a of attributes) out.push(a.value === undefined ? `a=${a.name}` : `a=${a.name}:${a.value}`);
}

function pushOther(out: string[], lines: readonly SdpOtherLine[], keep: (l: SdpOtherLine) => boolean): void {
  for (const l of lines) if (keep(l)) out.push(`${l.type}=${l.value}`);
}
