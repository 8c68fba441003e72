/**
 * Pieces shared by the fake provider servers: a queue of scripted faults, a real socket on
 * 127.0.0.1 with a port chosen at run time, body reading, and a close that drops every connection.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the next request gets instead of (or before) the normal answer. */
export type FakeFault =
  | {
      readonly kind: "status";
      readonly status: number;
      readonly body: unknown;
      readonly headers?: Readonly<Record<string, string>>;
    }
  /** Waits this long before the first byte (headers included). */
  | { readonly kind: "slow_first_byte"; readonly delayMs: number }
  /** Sends the headers and the first `afterChunks` body chunks, then destroys the socket. */
  | { readonly kind: "drop_mid_stream"; readonly afterChunks: number };

export class FaultScript {
  readonly #faults: FakeFault[] = [];

  /** Faults apply to the next requests, one each, in order. */
  push(...faults: FakeFault[]): void {
    this.#faults.push(...faults);
  }

  take(): FakeFault | undefined {
    return this.#faults.shift();
  }

  get pending(): number {
    return this.#faults.length;
  }
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<void> | void;

/** An HTTP server on 127.0.0.1 (port chosen by the OS) that calls `handler` with the whole body. */
export async function startHttp(handler: Handler): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      Promise.resolve(handler(req, res, Buffer.concat(chunks))).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
    });
    req.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

export async function stopHttp(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** Applies a status fault (answers and returns true) or waits out a slow first byte. */
export async function applyFault(fault: FakeFault | undefined, res: ServerResponse): Promise<boolean> {
  if (fault?.kind === "status") {
    sendJson(res, fault.status, fault.body, fault.headers);
    return true;
  }
  if (fault?.kind === "slow_first_byte") {
    await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (res.destroyed || res.socket === null || res.socket.destroyed) return true;
  }
  return false;
}

/**
 * Writes body chunks one per event-loop turn (so the client sees them as separate reads), honouring
 * a drop fault. Records when the first body byte left.
 */
export async function writeChunks(
  res: ServerResponse,
  chunks: readonly (string | Uint8Array)[],
  fault: FakeFault | undefined,
  onFirstByte: () => void,
  gapMs = 0,
): Promise<void> {
  let sent = 0;
  for (const chunk of chunks) {
    if (fault?.kind === "drop_mid_stream" && sent >= fault.afterChunks) {
      res.socket?.destroy();
      return;
    }
    if (res.destroyed) return;
    if (sent === 0) onFirstByte();
    res.write(chunk);
    sent++;
    await new Promise((resolve) => (gapMs > 0 ? setTimeout(resolve, gapMs) : setImmediate(resolve)));
  }
  res.end();
}

/** Splits a multipart/form-data body into its fields (name -> bytes); enough for the fakes. */
export function parseMultipart(
  body: Buffer,
  contentType: string,
): Map<string, { data: Buffer; filename?: string }> {
  const out = new Map<string, { data: Buffer; filename?: string }>();
  const match = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (boundary === undefined) return out;
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length + 2; // CRLF after the delimiter
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start, next - 2); // CRLF before the next delimiter
    const split = part.indexOf("\r\n\r\n");
    if (split >= 0) {
      const head = part.subarray(0, split).toString("utf8");
      const name = /name="([^"]*)"/.exec(head)?.[1];
      const filename = /filename="([^"]*)"/.exec(head)?.[1];
      if (name !== undefined) {
        out.set(name, { data: part.subarray(split + 4), ...(filename !== undefined ? { filename } : {}) });
      }
    }
    at = next;
  }
  return out;
}
