/**
 * Secret marks as the Pulumi engine keeps them, for the harness that drives Pulumi's real processes without the CLI.
 *
 * The engine tracks secretness next to values, never inside them: the dynamic-provider host declares
 * `acceptSecrets: false`, so every value it receives is plain, and the engine re-applies the marks on the results.
 * `Secret` is that mark on the harness side; the `encode…`/`decode…` pair converts it to and from the wire form
 * (`{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value}`) that Pulumi's RPC layer uses.
 */

const SECRET_BRAND = Symbol.for("pulumi-platform-credentials.engine.Secret");

/** Key and value that mark a special object in Pulumi's RPC property encoding (`@pulumi/pulumi/runtime/rpc`). */
export const RPC_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
/** Signature value of an RPC secret: `{[RPC_SIGNATURE_KEY]: RPC_SECRET_SIGNATURE, value}`. */
export const RPC_SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";
/** Signature value of an RPC resource reference: `{[RPC_SIGNATURE_KEY]: RPC_RESOURCE_SIGNATURE, urn, id?}`. */
export const RPC_RESOURCE_SIGNATURE = "5cf8f73096256a8f31e491e813e4eb8e";
/** The string Pulumi sends for a value that is not known yet (during preview). */
export { UNKNOWN_SENTINEL as UNKNOWN_VALUE } from "../provider/unknown";

/** A value the engine holds as secret. Printing it shows `[secret]`, never the value. */
export class Secret<T> {
  /** Brand that survives duplicate module instances (source under vitest and dist/ side by side). */
  readonly [SECRET_BRAND] = true;
  /** @param value the plain value; read it deliberately, through `.value` or {@link reveal}. */
  constructor(readonly value: T) {}
  /** Keeps secrets out of logs and error texts built with string interpolation. */
  toString(): string {
    return "[secret]";
  }
  /** Keeps secrets out of `JSON.stringify` output (state dumps, test failure messages). */
  toJSON(): string {
    return "[secret]";
  }
}

/** True when `value` is a {@link Secret} mark. */
export function isSecret(value: unknown): value is Secret<unknown> {
  return (
    value instanceof Secret ||
    (typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[SECRET_BRAND] === true)
  );
}

/** The plain value with every {@link Secret} mark removed, at any depth. */
export function reveal<T = unknown>(value: unknown): T {
  if (isSecret(value)) return reveal(value.value);
  if (Array.isArray(value)) return value.map((item) => reveal(item)) as T;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = reveal(item);
    return out as T;
  }
  return value as T;
}

/** True when `value` holds a {@link Secret} mark anywhere inside it. */
export function containsSecret(value: unknown): boolean {
  if (isSecret(value)) return true;
  if (Array.isArray(value)) return value.some(containsSecret);
  if (isPlainObject(value)) return Object.values(value).some(containsSecret);
  return false;
}

/**
 * The value in Pulumi's RPC encoding: {@link Secret} marks become RPC secret objects and `undefined` object fields are
 * dropped (protobuf `Struct` has no undefined).
 */
export function encodeSecretSignatures(value: unknown): unknown {
  if (isSecret(value)) return { [RPC_SIGNATURE_KEY]: RPC_SECRET_SIGNATURE, value: encodeSecretSignatures(value.value) };
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : encodeSecretSignatures(item)));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) out[key] = encodeSecretSignatures(item);
    }
    return out;
  }
  return value;
}

/**
 * The value decoded from Pulumi's RPC encoding: RPC secret objects become {@link Secret} marks and resource
 * references become `{ urn, id? }`. Other values are returned as they are.
 */
export function decodeSecretSignatures(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeSecretSignatures);
  if (isPlainObject(value)) {
    const signature = value[RPC_SIGNATURE_KEY];
    if (signature === RPC_SECRET_SIGNATURE) return new Secret(decodeSecretSignatures(value["value"]));
    if (signature === RPC_RESOURCE_SIGNATURE) {
      return value["id"] === undefined ? { urn: value["urn"] } : { urn: value["urn"], id: value["id"] };
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = decodeSecretSignatures(item);
    return out;
  }
  return value;
}

/** A plain data object (not an array, Secret, class instance or null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value) || isSecret(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
