export { type CallRequest, type CliHandlers, type CliIo, runCli, usage } from "./cli.js";
export { listCallsCommand, showCallCommand } from "./commands/calls-command.js";
export { baseDoctorChecks } from "./commands/doctor-checks.js";
export { type DoctorCheck, type DoctorResult, runDoctor } from "./commands/doctor-command.js";
