/**
 * Throw-away TLS material for 127.0.0.1/localhost made with openssl (the mkcerts.sh recipe):
 * a CA, a server certificate and a client certificate (both serverAuth+clientAuth).
 */
import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface BedCerts {
  dir: string;
  caPem: string;
  caKey: string;
  serverPem: string;
  serverKey: string;
  clientPem: string;
  clientKey: string;
  /** Client certificate followed by its key (what baresip's sip_certificate wants). */
  clientBundle: string;
}

async function openssl(args: readonly string[], cwd: string): Promise<void> {
  await run("openssl", [...args], { cwd });
}

/** Creates the CA and certificates in `dir` (created if missing). Takes ~0.3-1 s (RSA 2048). */
export async function makeCerts(dir: string): Promise<BedCerts> {
  await mkdir(dir, { recursive: true });
  const ext = join(dir, "san.ext");
  await writeFile(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n");
  await openssl(
    [
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
      "30",
    ].concat(["-subj", "/CN=ringagent-test-ca"]),
    dir,
  );
  for (const [name, cn] of [
    ["server", "127.0.0.1"],
    ["client", "client"],
  ] as const) {
    await openssl(
      [
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        `${name}.key`,
        "-out",
        `${name}.csr`,
        "-subj",
        `/CN=${cn}`,
      ],
      dir,
    );
    await openssl(
      ["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial"].concat([
        "-out",
        `${name}.pem`,
        "-days",
        "30",
        "-extfile",
        ext,
      ]),
      dir,
    );
  }
  const clientBundle = join(dir, "client-bundle.pem");
  const bundle =
    (await readFile(join(dir, "client.pem"), "utf8")) + (await readFile(join(dir, "client.key"), "utf8"));
  await writeFile(clientBundle, bundle);
  return {
    dir,
    caPem: join(dir, "ca.pem"),
    caKey: join(dir, "ca.key"),
    serverPem: join(dir, "server.pem"),
    serverKey: join(dir, "server.key"),
    clientPem: join(dir, "client.pem"),
    clientKey: join(dir, "client.key"),
    clientBundle,
  };
}
