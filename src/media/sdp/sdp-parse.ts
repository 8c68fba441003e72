/** SDP parser (RFC 8866): text -> SessionDescription. Never throws; malformed input gives `ok: false`. */
import {
  parseBigUnsigned,
  parseUnsigned,
  type SdpLine,
  splitAttribute,
  splitFirstWord,
  splitWords,
  tokenizeSdpLines,
} from "./sdp-tokens.js";
import {
  isSdpDirection,
  type SdpAttribute,
  type SdpBandwidth,
  type SdpConnection,
  type SdpCrypto,
  type SdpDirection,
  type SdpFmtp,
  type SdpOrigin,
  type SdpOtherLine,
  type SdpParseResult,
  type SdpRtcp,
  type SdpRtpMap,
  type SdpTiming,
  type SessionDescription,
} from "./sdp-types.js";

/** Bodies bigger than this are refused before tokenizing (a SIP body is far smaller). */
export const maxSdpBytes = 64 * 1024;

class SdpSyntaxError {
  constructor(
    readonly message: string,
    readonly lineNumber: number,
  ) {}
}

interface MutableMedia {
  media: string;
  port: number;
  portCount?: number;
  proto: string;
  formats: string[];
  otherLines: SdpOtherLine[];
  connection?: SdpConnection;
  bandwidths: SdpBandwidth[];
  rtpMaps: SdpRtpMap[];
  fmtps: SdpFmtp[];
  ptimeMs?: number;
  maxPtimeMs?: number;
  direction?: SdpDirection;
  rtcp?: SdpRtcp;
  rtcpMux: boolean;
  cryptos: SdpCrypto[];
  attributes: SdpAttribute[];
}

export function parseSdp(text: string): SdpParseResult {
  if (text.length > maxSdpBytes) return { ok: false, error: "SDP body too large" };
  const tokens = tokenizeSdpLines(text);
  if (tokens.error) return { ok: false, error: tokens.error.message, lineNumber: tokens.error.line };
  try {
    return { ok: true, sdp: parseLines(tokens.lines) };
  } catch (err) {
    if (err instanceof SdpSyntaxError) return { ok: false, error: err.message, lineNumber: err.lineNumber };
    // Defensive: the parser does not throw anything else; never let it escape the boundary.
    return { ok: false, error: "SDP parser failure" };
  }
}

function fail(message: string, line: SdpLine): never {
  throw new SdpSyntaxError(message, line.lineNumber);
}

function parseLines(lines: readonly SdpLine[]): SessionDescription {
  const first = lines[0];
  if (!first) throw new SdpSyntaxError("empty SDP", 0);
  // RFC 8866 5.1: "v=0" is the first line.
  if (first.type !== "v" || first.value.trim() !== "0") fail("first line must be v=0", first);
  let origin: SdpOrigin | undefined;
  let sessionName: string | undefined;
  let connection: SdpConnection | undefined;
  let direction: SdpDirection | undefined;
  const otherLines: SdpOtherLine[] = [];
  const bandwidths: SdpBandwidth[] = [];
  const timings: SdpTiming[] = [];
  const attributes: SdpAttribute[] = [];
  const media: MutableMedia[] = [];
  let current: MutableMedia | undefined;

  for (const line of lines.slice(1)) {
    if (line.type === "m") {
      current = parseMediaLine(line);
      media.push(current);
      continue;
    }
    if (current) {
      parseMediaLevelLine(current, line);
      continue;
    }
    switch (line.type) {
      case "o":
        origin = parseOrigin(line);
        break;
      case "s":
        sessionName = line.value;
        break;
      case "c":
        connection = parseConnection(line.value, line);
        break;
      case "b":
        bandwidths.push(parseBandwidth(line));
        break;
      case "t": {
        const words = splitWords(line.value);
        if (words.length !== 2 || parseUnsigned(words[0]) === undefined) fail("bad t= line", line);
        timings.push({ start: words[0] ?? "0", stop: words[1] ?? "0" });
        break;
      }
      case "a": {
        const attr = splitAttribute(line.value);
        if (attr.value === undefined && isSdpDirection(attr.name)) direction = attr.name;
        else attributes.push(attr);
        break;
      }
      case "v":
        fail("repeated v= line", line);
        break;
      default:
        otherLines.push({ type: line.type, value: line.value });
    }
  }
  if (!origin) throw new SdpSyntaxError("missing o= line", 0);
  if (sessionName === undefined) throw new SdpSyntaxError("missing s= line", 0);
  return {
    origin,
    sessionName,
    otherLines,
    ...(connection ? { connection } : {}),
    bandwidths,
    timings: timings.length > 0 ? timings : [{ start: "0", stop: "0" }],
    ...(direction ? { direction } : {}),
    attributes,
    media,
  };
}

function parseOrigin(line: SdpLine): SdpOrigin {
  const w = splitWords(line.value);
  const version = parseBigUnsigned(w[2]);
  if (w.length !== 6 || version === undefined) fail("bad o= line", line);
  return {
    username: w[0] ?? "-",
    sessionId: w[1] ?? "0",
    sessionVersion: version,
    netType: w[3] ?? "IN",
    addrType: w[4] ?? "IP4",
    address: w[5] ?? "",
  };
}

function parseConnection(value: string, line: SdpLine): SdpConnection {
  const w = splitWords(value);
  if (w.length !== 3) fail("bad connection data", line);
  // A multicast TTL/count suffix (`/127`) is kept in the address text; unicast is what we use.
  return { netType: w[0] ?? "IN", addrType: w[1] ?? "IP4", address: w[2] ?? "" };
}

function parseBandwidth(line: SdpLine): SdpBandwidth {
  const { name, value } = splitAttribute(line.value);
  const kbps = parseUnsigned(value);
  if (name === "" || kbps === undefined) fail("bad b= line", line);
  return { type: name, kbps };
}

function parseMediaLine(line: SdpLine): MutableMedia {
  const w = splitWords(line.value);
  if (w.length < 3) fail("bad m= line", line);
  const portText = w[1] ?? "";
  const slash = portText.indexOf("/");
  const port = parseUnsigned(slash < 0 ? portText : portText.slice(0, slash), 65535);
  const portCount = slash < 0 ? undefined : parseUnsigned(portText.slice(slash + 1), 65535);
  if (port === undefined || (slash >= 0 && portCount === undefined)) fail("bad m= port", line);
  return {
    media: w[0] ?? "",
    port,
    ...(portCount !== undefined ? { portCount } : {}),
    proto: w[2] ?? "",
    formats: w.slice(3),
    otherLines: [],
    bandwidths: [],
    rtpMaps: [],
    fmtps: [],
    rtcpMux: false,
    cryptos: [],
    attributes: [],
  };
}

function parseMediaLevelLine(m: MutableMedia, line: SdpLine): void {
  switch (line.type) {
    case "c":
      m.connection = parseConnection(line.value, line);
      return;
    case "b":
      m.bandwidths.push(parseBandwidth(line));
      return;
    case "a":
      parseMediaAttribute(m, line);
      return;
    case "v":
    case "o":
    case "s":
    case "t":
      fail(`${line.type}= line inside a media section`, line);
      return;
    default:
      m.otherLines.push({ type: line.type, value: line.value });
  }
}

function parseMediaAttribute(m: MutableMedia, line: SdpLine): void {
  const attr = splitAttribute(line.value);
  const value = attr.value;
  switch (attr.name) {
    case "rtpmap":
      if (value !== undefined) {
        m.rtpMaps.push(parseRtpMap(value, line));
        return;
      }
      break;
    case "fmtp":
      if (value !== undefined) {
        const { head, rest } = splitFirstWord(value);
        const pt = parseUnsigned(head, 127);
        if (pt === undefined) fail("bad fmtp payload type", line);
        m.fmtps.push({ payloadType: pt, parameters: rest });
        return;
      }
      break;
    case "ptime":
    case "maxptime": {
      const ms = parseUnsigned(value?.trim(), 10_000);
      if (ms === undefined) fail(`bad ${attr.name}`, line);
      if (attr.name === "ptime") m.ptimeMs = ms;
      else m.maxPtimeMs = ms;
      return;
    }
    case "rtcp":
      if (value !== undefined) {
        m.rtcp = parseRtcp(value, line);
        return;
      }
      break;
    case "rtcp-mux":
      m.rtcpMux = true;
      return;
    case "crypto":
      if (value !== undefined) {
        m.cryptos.push(parseCrypto(value, line));
        return;
      }
      break;
    default:
      if (value === undefined && isSdpDirection(attr.name)) {
        m.direction = attr.name;
        return;
      }
  }
  m.attributes.push(attr);
}

function parseRtpMap(value: string, line: SdpLine): SdpRtpMap {
  const { head, rest } = splitFirstWord(value);
  const payloadType = parseUnsigned(head, 127);
  const parts = rest.split("/");
  const clockRateHz = parseUnsigned(parts[1]);
  const channels = parts[2] === undefined ? undefined : parseUnsigned(parts[2], 255);
  if (payloadType === undefined || !parts[0] || clockRateHz === undefined || parts.length > 3) {
    fail("bad rtpmap", line);
  }
  if (parts[2] !== undefined && channels === undefined) fail("bad rtpmap channels", line);
  return {
    payloadType,
    encodingName: parts[0],
    clockRateHz,
    ...(channels !== undefined ? { channels } : {}),
  };
}

function parseRtcp(value: string, line: SdpLine): SdpRtcp {
  const w = splitWords(value);
  const port = parseUnsigned(w[0], 65535);
  if (port === undefined) fail("bad rtcp port", line);
  if (w.length === 1) return { port };
  if (w.length !== 4) fail("bad rtcp attribute", line);
  return { port, connection: { netType: w[1] ?? "IN", addrType: w[2] ?? "IP4", address: w[3] ?? "" } };
}

function parseCrypto(value: string, line: SdpLine): SdpCrypto {
  const w = splitWords(value);
  const tag = parseUnsigned(w[0], 999_999_999);
  if (tag === undefined || w.length < 3 || !w[1] || !w[2]) fail("bad crypto attribute", line);
  return { tag, suite: w[1], keyParams: w[2].split(";"), sessionParams: w.slice(3) };
}
