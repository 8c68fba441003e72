import { execFileSync } from "node:child_process";
import type { EventEmitter } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Wire fixtures: whole SIP messages as they appear on the wire (CRLF line ends). */
export function sipRequest(method: string, callId: string, body = "", extraHeaders: string[] = []): Buffer {
  const lines = [
    `${method} sip:service@127.0.0.1 SIP/2.0`,
    "Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK-test",
    "From: <sip:agent@example.invalid>;tag=1",
    "To: <sip:service@example.invalid>",
    `Call-ID: ${callId}`,
    `CSeq: 1 ${method}`,
    "Max-Forwards: 70",
    ...extraHeaders,
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ];
  return Buffer.from(lines.join("\r\n"));
}

export function sipResponse(callId: string): Buffer {
  return Buffer.from(
    [
      "SIP/2.0 200 OK",
      "Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK-test",
      `Call-ID: ${callId}`,
      "CSeq: 1 OPTIONS",
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n"),
  );
}

/** Resolves with the first event arguments matching `predicate`; rejects after `timeoutMs`. */
export function waitFor<T extends unknown[]>(
  emitter: EventEmitter,
  event: string,
  predicate: (...args: T) => boolean = () => true,
  timeoutMs = 3_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`timed out waiting for ${event}`));
    }, timeoutMs);
    const listener = (...args: unknown[]): void => {
      if (!predicate(...(args as T))) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(args as T);
    };
    emitter.on(event, listener);
  });
}

/** Polls `check` every 10 ms until it is true or `timeoutMs` passes. */
export async function eventually(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface TestCerts {
  readonly dir: string;
  readonly caPem: string;
  readonly serverKey: string;
  readonly serverCert: string;
  readonly selfSignedKey: string;
  readonly selfSignedCert: string;
  cleanup(): void;
}

/** Throw-away CA + server cert for 127.0.0.1/localhost, and a self-signed cert (testbed mkcerts.sh). */
export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), "sip-transport-certs-"));
  const run = (args: string[]): void => {
    execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  };
  run([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=test-ca",
  ]);
  run([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
    "-subj",
    "/CN=127.0.0.1",
  ]);
  execFileSync("sh", ["-c", "printf 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\\n' > san.ext"], {
    cwd: dir,
  });
  run([
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.pem",
    "-days",
    "2",
    "-extfile",
    "san.ext",
  ]);
  run([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "self.key",
    "-out",
    "self.pem",
    "-days",
    "2",
    "-subj",
    "/CN=127.0.0.1",
    "-addext",
    "subjectAltName=IP:127.0.0.1",
  ]);
  const read = (name: string): string => readFileSync(join(dir, name), "utf8");
  return {
    dir,
    caPem: read("ca.pem"),
    serverKey: read("server.key"),
    serverCert: read("server.pem"),
    selfSignedKey: read("self.key"),
    selfSignedCert: read("self.pem"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
