// Public surface of the RingCentral emulator (a dev tool and test fixture; imports only shared).

export { type AppPermission, allAppPermissions, requiredPermission } from "./app-permissions.js";
export { type EmulatorCommandResult, emulatorJwt, runEmulatorCommand } from "./emulator-command.js";
export {
  defaultDevices,
  defaultGroupLimits,
  defaultSipInfo,
  type EmulatedDevice,
  type EmulatedOutboundProxy,
  type EmulatedSipInfo,
  type EmulatorOptions,
  type FaultRule,
  type GroupLimit,
  type PartyStatusCode,
  type RateLimitGroup,
  type RequestRecord,
} from "./emulator-types.js";
export { RingCentralEmulator, type SimulatedCall } from "./ringcentral-emulator.js";
export type { SimulatedCallInit } from "./telephony-state.js";
