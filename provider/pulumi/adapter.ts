/**
 * The dynamic-provider adapter: what the shims (shims.ts) call at run time inside Pulumi's dynamic-provider host.
 * It translates between the host's conventions (the `__provider` property, the unknown sentinel, partial-failure
 * errors, `{}` for "gone") and the engine-neutral resource definitions.
 *
 * Loaded by package specifier from the project's node_modules, never serialized. The provider plugin
 * (provider/plugin/) reuses the same functions after unwrapping the secrets it receives.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { configureProvider, providerContext } from "../context";
import { PartialFailure, UNKNOWN, inputKeys, type ResourceDefinition, type State } from "../resource";
import { definitionFor } from "../definitions";

/** The engine's sentinel for values unknown during preview (ENGINE-NOTES, "Preview"). */
export const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const PROVIDER_KEY = "__provider";

// These run on every call the host makes, so they are plain loops (no entries/fromEntries arrays). Each builds
// a fresh plain object as `Object.fromEntries` would; `put` keeps a key named `__proto__` an own property too.
function put(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    out[key] = value;
  }
}

/** Deeply replace the engine's unknown sentinel by the core's {@link UNKNOWN}. */
export function fromEngine(value: unknown): unknown {
  if (value === UNKNOWN_SENTINEL) return UNKNOWN;
  if (Array.isArray(value)) return value.map(fromEngine);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) put(out, key, fromEngine((value as Record<string, unknown>)[key]));
    return out;
  }
  return value;
}

/** Deeply replace the core's {@link UNKNOWN} by the engine's sentinel. */
export function toEngine(value: unknown): unknown {
  if (value === UNKNOWN) return UNKNOWN_SENTINEL;
  if (Array.isArray(value)) return value.map(toEngine);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) put(out, key, toEngine((value as Record<string, unknown>)[key]));
    return out;
  }
  return value;
}

// The host's Struct.fromJavaScript rejects `undefined` ("Unexpected struct type"): drop such keys (deeply)
// from everything returned to the host.
function defined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(defined) as T;
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return definedCopy(value as Record<string, unknown>) as T;
  }
  return value;
}

/** `defined(toEngine(value))` in one pass. */
function definedToEngine(value: unknown): unknown {
  if (value === UNKNOWN) return UNKNOWN_SENTINEL;
  if (Array.isArray(value)) return value.map(definedToEngine);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) put(out, key, definedToEngine(v));
    }
    return out;
  }
  return value;
}

/** A plain copy of `record`'s own enumerable keys without the undefined ones, deeply (`defined({ ...record })`). */
function definedCopy(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    const v = record[key];
    if (v !== undefined) put(out, key, defined(v));
  }
  return out;
}

function withoutProvider(props: Record<string, unknown> | undefined): Record<string, unknown> {
  const { [PROVIDER_KEY]: _provider, ...rest } = props ?? {};
  return rest;
}

/** `fromEngine(withoutProvider(props))` in one pass. */
function fromEngineWithoutProvider(props: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!props) return out;
  for (const key of Object.keys(props)) if (key !== PROVIDER_KEY) put(out, key, fromEngine(props[key]));
  return out;
}

// Input keys per definition: a definition's inputs schema never changes while the process runs.
const inputKeysCache = new WeakMap<ResourceDefinition, readonly string[]>();
function inputKeysOf(def: ResourceDefinition): readonly string[] {
  let keys = inputKeysCache.get(def);
  if (!keys) inputKeysCache.set(def, (keys = inputKeys(def)));
  return keys;
}

/** Stores the stack config (secrets decrypted by the engine) for the core. */
export async function configure(req: dynamic.ConfigureRequest): Promise<void> {
  configureProvider((key) => req.config.get(key));
}

/** `check`: validation only, no side effects. */
export async function check(
  kind: string,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Promise<dynamic.CheckResult> {
  const def = definitionFor(kind);
  const result = def.check(fromEngineWithoutProvider(news), withoutProvider(olds));
  return {
    inputs: definedToEngine(result.failures.length ? withoutProvider(news) : result.inputs) as Record<string, unknown>,
    failures: result.failures.map((f) => ({ property: f.property, reason: f.reason })),
  };
}

/** `diff`: compares input keys only; `changes` is always decided (never undefined, see ENGINE-NOTES). */
export async function diff(
  kind: string,
  _id: string,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Promise<dynamic.DiffResult> {
  const def = definitionFor(kind);
  const result = def.diff(withoutProvider(olds), fromEngineWithoutProvider(news) as never);
  return {
    changes: result.changes,
    replaces: [...result.replaces],
    deleteBeforeReplace: result.deleteBeforeReplace,
  };
}

// The engine keeps a partially failed resource with exactly the properties in the error: they must carry
// `__provider`, or later refresh/delete calls could not find the provider code.
function partialFailure(err: PartialFailure, providerText: unknown): Error {
  return Object.assign(new Error(err.message), {
    id: err.id,
    properties: definedCopy(providerText === undefined ? err.state : { ...err.state, [PROVIDER_KEY]: providerText }),
    reasons: [...err.reasons],
  });
}

/** `create`. */
export async function create(kind: string, inputs: Record<string, unknown>): Promise<dynamic.CreateResult> {
  const def = definitionFor(kind);
  try {
    const created = await def.create(providerContext(), withoutProvider(inputs) as never);
    return { id: created.id, outs: definedCopy(created.state) };
  } catch (err) {
    throw err instanceof PartialFailure ? partialFailure(err, inputs[PROVIDER_KEY]) : err;
  }
}

/** `read`: `{}` (blank id) tells the engine the object is gone. */
export async function read(kind: string, id: string, props: Record<string, unknown>): Promise<dynamic.ReadResult> {
  const def = definitionFor(kind);
  const result = await def.read(providerContext(), id, withoutProvider(props));
  if (!result) return {};
  const state: State = result.state;
  const inputs: Record<string, unknown> = {};
  for (const k of inputKeysOf(def)) {
    const v = state[k];
    if (k in state && v !== undefined) put(inputs, k, defined(v));
  }
  return { id: result.id, props: definedCopy(state), inputs } as dynamic.ReadResult;
}

/** `update`. */
export async function update(
  kind: string,
  id: string,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Promise<dynamic.UpdateResult> {
  const def = definitionFor(kind);
  try {
    const state = await def.update(providerContext(), id, withoutProvider(olds), withoutProvider(news) as never);
    return { outs: definedCopy(state) };
  } catch (err) {
    throw err instanceof PartialFailure ? partialFailure(err, news[PROVIDER_KEY]) : err;
  }
}

/** `delete`. */
export async function remove(kind: string, id: string, props: Record<string, unknown>): Promise<void> {
  await definitionFor(kind).delete(providerContext(), id, withoutProvider(props));
}
