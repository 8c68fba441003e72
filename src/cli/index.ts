export { type CliHandlers, type CliIo, runCli, usage } from "./cli.js";
