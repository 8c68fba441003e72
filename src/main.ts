/**
 * The composition root: the only place that wires concrete implementations together (its parts are
 * in src/main/). `ringagent` (bin/ringagent.js) calls {@link main}; tests and benchmarks call
 * {@link startRingagent}, which returns a handle with the bound addresses and `stop()`.
 */
import { runCli, runSimulateCommand, runVoicesCommand } from "./cli/index.js";
import { placeCall, runEmulator, simulator, voiceCatalog } from "./main/cli-handlers.js";
import { doctorChecks } from "./main/doctor-wiring.js";
import { openStore, packageVersion } from "./main/service-config.js";
import { startService } from "./main/service-startup.js";

export { providerFactory } from "./main/provider-factory.js";
export { packageVersion } from "./main/service-config.js";
export type {
  LineHandle,
  RingCentralLineHandle,
  ServiceHandle,
  StartOptions,
} from "./main/service-handle.js";
export { startRingagent, startService } from "./main/service-startup.js";

export async function main(argv: readonly string[]): Promise<number> {
  return runCli(
    argv,
    {
      start: startService,
      openStore,
      placeCall,
      emulator: runEmulator,
      voices: (config, request, io) => runVoicesCommand(config, request, voiceCatalog(io.env), io),
      simulate: (config, request, io) => runSimulateCommand(config, request, simulator(config, io.env), io),
      doctorChecks,
    },
    {
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
      env: process.env,
      version: packageVersion(),
    },
  );
}
