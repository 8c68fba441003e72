import type { Logger } from "../shared/index.js";
import type { EmulatorOptions } from "./emulator-types.js";
import { RingCentralEmulator } from "./ringcentral-emulator.js";

/**
 * `ringagent emulator`: the emulator for local development (drive calls with curl through the
 * `/_emulator/...` control routes, see control-routes.ts). The caller prints `banner`.
 */
export interface EmulatorCommandResult {
  readonly emulator: RingCentralEmulator;
  /** Lines to print: the server URL and the client credentials to configure the line with. */
  readonly banner: readonly string[];
}

/** A JWT-shaped credential the emulator accepts (it checks shape and `exp`, never a signature). */
export function emulatorJwt(): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part({ sub: "emulator" })}.emulator`;
}

export async function runEmulatorCommand(
  options: EmulatorOptions & { readonly logger?: Logger },
): Promise<EmulatorCommandResult> {
  const emulator = await RingCentralEmulator.start(options);
  const jwt = emulatorJwt();
  const banner = [
    `RingCentral emulator on ${emulator.url}`,
    `  server: ${emulator.url}`,
    `  clientId: ${emulator.clientId}`,
    `  clientSecret: ${emulator.clientSecret ?? "(none: public app)"}`,
    `  jwt: any JWT-shaped credential, e.g. ${jwt}`,
    `  devices: ${emulator.devices.map((d) => `${d.id} (${d.type})`).join(", ")}`,
    ...emulator.devices.flatMap((d) =>
      d.sipInfo === undefined
        ? []
        : [
            `  ${d.id} registers as ${d.sipInfo.userName}@${d.sipInfo.domain} via TLS ${d.sipInfo.outboundProxies[0]?.proxyTLS ?? "?"}`,
          ],
    ),
    "",
    "Point a config at it (ringagent.yaml):",
    "  lines:",
    "    - name: main",
    "      kind: ringcentral",
    "      agent: echo-test",
    "      ringcentral:",
    `        server: ${emulator.url}`,
    `        clientId: ${emulator.clientId}`,
    "        clientSecret: ${RC_CLIENT_SECRET}",
    "        jwt: ${RC_JWT}",
    "        verifyCertificate: false   # a local registrar with a self-signed certificate",
    "  agents:",
    "    echo-test: { kind: echo }",
    "and run it with:",
    `  RC_CLIENT_SECRET=${emulator.clientSecret ?? "unused"} RC_JWT=${jwt} ringagent start -c ringagent.yaml`,
    "Drive calls: POST /_emulator/calls {sipCallId, from, to}, then /_emulator/calls/{sipCallId}/{proceed|answer|hold|hangup}",
  ];
  options.logger?.info({ url: emulator.url }, "emulator: listening");
  return { emulator, banner };
}
