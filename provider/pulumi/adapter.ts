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
import { PartialFailure, UNKNOWN, inputKeys, type State } from "../resource";
import { definitionFor } from "../definitions";

/** The engine's sentinel for values unknown during preview (ENGINE-NOTES, "Preview"). */
export const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const PROVIDER_KEY = "__provider";

/** Deeply replace the engine's unknown sentinel by the core's {@link UNKNOWN}. */
export function fromEngine(value: unknown): unknown {
  if (value === UNKNOWN_SENTINEL) return UNKNOWN;
  if (Array.isArray(value)) return value.map(fromEngine);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromEngine(v)]));
  }
  return value;
}

/** Deeply replace the core's {@link UNKNOWN} by the engine's sentinel. */
export function toEngine(value: unknown): unknown {
  if (value === UNKNOWN) return UNKNOWN_SENTINEL;
  if (Array.isArray(value)) return value.map(toEngine);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toEngine(v)]));
  }
  return value;
}

// The host's Struct.fromJavaScript rejects `undefined` ("Unexpected struct type"): drop such keys (deeply)
// from everything returned to the host.
function defined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(defined) as T;
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, defined(v)]),
    ) as T;
  }
  return value;
}

function withoutProvider(props: Record<string, unknown> | undefined): Record<string, unknown> {
  const { [PROVIDER_KEY]: _provider, ...rest } = props ?? {};
  return rest;
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
  const result = def.check(fromEngine(withoutProvider(news)) as Record<string, unknown>, withoutProvider(olds));
  return {
    inputs: defined(
      toEngine(result.failures.length ? withoutProvider(news) : result.inputs) as Record<string, unknown>,
    ),
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
  const result = def.diff(withoutProvider(olds), fromEngine(withoutProvider(news)) as never);
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
    properties: defined(providerText === undefined ? { ...err.state } : { ...err.state, [PROVIDER_KEY]: providerText }),
    reasons: [...err.reasons],
  });
}

/** `create`. */
export async function create(kind: string, inputs: Record<string, unknown>): Promise<dynamic.CreateResult> {
  const def = definitionFor(kind);
  try {
    const created = await def.create(providerContext(), withoutProvider(inputs) as never);
    return { id: created.id, outs: defined({ ...created.state }) };
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
  const inputs = Object.fromEntries(
    inputKeys(def)
      .filter((k) => k in state)
      .map((k) => [k, state[k]]),
  );
  return { id: result.id, props: defined({ ...state }), inputs: defined(inputs) } as dynamic.ReadResult;
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
    return { outs: defined({ ...state }) };
  } catch (err) {
    throw err instanceof PartialFailure ? partialFailure(err, news[PROVIDER_KEY]) : err;
  }
}

/** `delete`. */
export async function remove(kind: string, id: string, props: Record<string, unknown>): Promise<void> {
  await definitionFor(kind).delete(providerContext(), id, withoutProvider(props));
}
