export {
  type CallRequest,
  type CliHandlers,
  type CliIo,
  type EmulatorRequest,
  runCli,
  usage,
} from "./cli.js";
export { listCallsCommand, showCallCommand } from "./commands/calls-command.js";
export { baseDoctorChecks } from "./commands/doctor-checks.js";
export { type DoctorCheck, type DoctorResult, runDoctor } from "./commands/doctor-command.js";
export { type PocketsphinxLoader, pocketsphinxDoctorChecks } from "./commands/pocketsphinx-doctor.js";
export {
  defaultPocketsphinxModelDir,
  pocketsphinxModelDir,
  pocketsphinxModelDirEnv,
  pocketsphinxModelIn,
} from "./commands/pocketsphinx-model.js";
export {
  type RegistrationProbeFactory,
  registrationDoctorCheck,
  type SipAccountLineConfig,
} from "./commands/registration-doctor.js";
export {
  permissionOf,
  type RingCentralDoctorOptions,
  ringCentralDoctorChecks,
} from "./commands/ringcentral-doctor.js";
export { runSimulateCommand, type SimulateRequest, type Simulator } from "./commands/simulate-command.js";
export {
  type ConversationAgentConfig as VoicesAgentConfig,
  runVoicesCommand,
  type VoiceCatalog,
  type VoiceEntry,
  type VoicesRequest,
} from "./commands/voices-command.js";
