/**
 * Values the engine does not know yet (a preview value computed from another resource), in the two forms this
 * package meets: the engine's sentinel strings on the wire, and the core's {@link UNKNOWN} that definitions see.
 * Free of imports, so the policies and the engine harness can use it without loading the provider.
 */

/**
 * Stands for a value the engine does not know yet. Adapters translate the engine's sentinel into this one before
 * calling `check` or `diff`, which must let it through; policies read an unknown property as this.
 */
export const UNKNOWN: unique symbol = Symbol.for("pulumi-platform-credentials.unknown");
/** The type of {@link UNKNOWN}. */
export type Unknown = typeof UNKNOWN;

/** Whether a value is (or, for objects and arrays, contains) {@link UNKNOWN}. */
export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

/**
 * The string the engine sends for an unknown value of any kind in resource properties and provider config (the
 * Pulumi RPC protocol's `UnknownStringValue`).
 */
export const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Every sentinel of an unknown value, one per value kind (string, boolean, number, archive, asset, array, object):
 * the analyzer hands them to policies unchanged (`@pulumi/policy`'s proxy.ts). Fixed by the Pulumi RPC protocol.
 */
export const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
  UNKNOWN_SENTINEL,
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
  "030794c1-ac77-496b-92df-f27374a8bd58",
  "e48ece36-62e2-4504-bad9-02848725956a",
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
]);
