export { Registerer, refreshDelayMs, registrationRetryDelayMs } from "./registerer.js";
export {
  defaultRegistrationRetryPolicy,
  type RegistrationBinding,
  RegistrationError,
  type RegistrationErrorCode,
  type RegistrationEvents,
  type RegistrationOptions,
  type RegistrationPort,
  type RegistrationRetryPolicy,
  type RegistrationState,
} from "./registration-types.js";
