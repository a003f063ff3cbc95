/**
 * The local emulator of the Scope3 Interchange buyer API and the Commerce Layer Provisioning API: what the demo,
 * the examples and every test run against. Start it in-process with {@link startEmulator}, or from a shell with
 * `platform-credentials emulator`. See emulator/README.md for the seed, the administration API and the faults.
 */
export { startEmulator, MAX_BODY_BYTES } from "./server";
export type { ActiveFault, FaultSpec, RunningEmulator, StartEmulatorOptions } from "./server";
export { defaultSeed, defaultInterchangeSeed, EMULATOR_INTERCHANGE_KEYS } from "./seed";
export type { SeedDocument } from "./seed";
export { createInterchangePlatform, INTERCHANGE_PREFIX } from "./interchange";
export type {
  InterchangePlatform,
  InterchangePlatformOptions,
  InterchangeSeed,
  InterchangeSettings,
} from "./interchange";
export { createCommerceLayerPlatform } from "./commercelayer";
export type {
  EmulatorPlatform,
  EmulatorRequest,
  EmulatorResponse,
  EmulatorRoute,
  ErrorResponseExtras,
} from "./framework";
