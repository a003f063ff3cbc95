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

/** How {@link translate} rewrites a value on its way between the host and the core. */
interface Translation {
  /** The marker to replace (the engine's sentinel, or the core's UNKNOWN). */
  readonly from: unknown;
  /** What replaces it. */
  readonly to: unknown;
  /** Drop keys whose value is undefined: the host's Struct.fromJavaScript rejects them ("Unexpected struct type"). */
  readonly dropUndefined: boolean;
  /** A top-level key to leave out (`__provider` on the way in). */
  readonly omitTopLevel?: string;
}

const FROM_ENGINE: Translation = {
  from: UNKNOWN_SENTINEL,
  to: UNKNOWN,
  dropUndefined: false,
  omitTopLevel: PROVIDER_KEY,
};
const TO_ENGINE: Translation = { from: UNKNOWN, to: UNKNOWN_SENTINEL, dropUndefined: true };

/**
 * A deep copy of `value` with `t.from` replaced by `t.to`. It runs on every call the host makes, so it is one plain
 * loop (no entries/fromEntries arrays); a key named `__proto__` stays an own property, as `Object.fromEntries` keeps it.
 */
function translate(value: unknown, t: Translation, topLevel = false): unknown {
  if (value === t.from) return t.to;
  if (Array.isArray(value)) return value.map((v) => translate(v, t));
  if (!value || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if ((t.dropUndefined && v === undefined) || (topLevel && key === t.omitTopLevel)) continue;
    if (key === "__proto__") {
      Object.defineProperty(out, key, { value: translate(v, t), writable: true, enumerable: true, configurable: true });
    } else {
      out[key] = translate(v, t);
    }
  }
  return out;
}

/** Deeply replace the engine's unknown sentinel by the core's {@link UNKNOWN}, leaving `__provider` out. */
export function fromEngine(props: Record<string, unknown> | undefined): Record<string, unknown> {
  return translate(props ?? {}, FROM_ENGINE, true) as Record<string, unknown>;
}

/** Deeply replace the core's {@link UNKNOWN} by the engine's sentinel and drop undefined values. */
export function toEngine(state: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return translate(state, TO_ENGINE) as Record<string, unknown>;
}

function withoutProvider(props: Record<string, unknown> | undefined): Record<string, unknown> {
  const { [PROVIDER_KEY]: _provider, ...rest } = props ?? {};
  return rest;
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
  const result = def.check(fromEngine(news), withoutProvider(olds));
  return {
    inputs: toEngine(result.failures.length ? withoutProvider(news) : (result.inputs as Record<string, unknown>)),
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
  const result = def.diff(withoutProvider(olds), fromEngine(news) as never);
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
    properties: toEngine(providerText === undefined ? err.state : { ...err.state, [PROVIDER_KEY]: providerText }),
    reasons: [...err.reasons],
  });
}

/** `create`. */
export async function create(kind: string, inputs: Record<string, unknown>): Promise<dynamic.CreateResult> {
  const def = definitionFor(kind);
  try {
    const created = await def.create(providerContext(), withoutProvider(inputs) as never);
    return { id: created.id, outs: toEngine(created.state) };
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
  for (const k of inputKeysOf(def)) if (state[k] !== undefined) inputs[k] = state[k];
  return { id: result.id, props: toEngine(state), inputs: toEngine(inputs) } as dynamic.ReadResult;
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
    return { outs: toEngine(state) };
  } catch (err) {
    throw err instanceof PartialFailure ? partialFailure(err, news[PROVIDER_KEY]) : err;
  }
}

/** `delete`. */
export async function remove(kind: string, id: string, props: Record<string, unknown>): Promise<void> {
  await definitionFor(kind).delete(providerContext(), id, withoutProvider(props));
}
