/**
 * The dynamic-provider adapter: what the shims (shims.ts) call at run time inside Pulumi's dynamic-provider host.
 * It translates between the host's conventions (the `__provider` property, the unknown sentinel, partial-failure
 * errors, `{}` for "gone") and the engine-neutral resource definitions.
 *
 * Loaded by package specifier from the project's node_modules, never serialized. The provider plugin
 * (provider/plugin/) reuses the same functions after unwrapping the secrets it receives. Stacks written by 0.1.0
 * carry a `__provider` that requires this module by its path and calls `configure`, `check`, `diff`, `create`,
 * `read`, `update` and `remove` with the kind first: keep the path and those signatures.
 */
// First: tunes the host process before anything loads undici (why: processTuning.ts).
import "../processTuning";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { ACCOUNT_NAME_PATTERN, type AccountPlatform } from "../config";
import {
  accountConfigurationProblem,
  defaultConfigurationProblem,
  configureProvider,
  configuredCredentials,
  providerContext,
  type ProviderContext,
} from "../context";
import { PartialFailure, UNKNOWN, type ResourceDefinition, type State } from "../resource";
import { parseState, stateInputs } from "../state";
import { UNKNOWN_SENTINEL } from "../unknown";

export { UNKNOWN_SENTINEL };
import { definitionFor } from "../definitions";
import { ERROR_MESSAGE_LIMIT, capPlatformText, platformText, redact, redactedError } from "../http";

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

/** The stack config text last handed to {@link configure}, to tell a repeated configure from a new config. */
let configuredText: string | undefined;

/**
 * Stores the stack config (secrets decrypted by the engine) for the core. Object values (the named accounts of
 * `platform-credentials:accounts`, which the engine sends as one JSON text) reach the core as JSON text.
 *
 * The host configures each provider object (one per resource kind) when it first sees it, so one process calls this
 * once per kind, with the same config: a repeat keeps the contexts, whose per-advertiser locks, coalesced lists and
 * tokens other resources are using at that moment.
 */
export async function configure(req: dynamic.ConfigureRequest): Promise<void> {
  const raw = (req.config as { rawConfig?: unknown }).rawConfig;
  const text = raw && typeof raw === "object" ? JSON.stringify(raw) : undefined;
  if (text !== undefined && text === configuredText) return;
  configuredText = text;
  configureProvider((key) => {
    const value: unknown = req.config.get(key);
    return value === undefined || value === null || typeof value === "string"
      ? (value ?? undefined)
      : JSON.stringify(value);
  });
}

/** The named account a resource's inputs or state name (undefined: the default account). */
function accountOf(values: Readonly<Record<string, unknown>>): string | undefined {
  return typeof values.account === "string" ? values.account : undefined;
}

/**
 * The context of the account `values` name. Reads, updates and deletes pass the state, so they use the account the
 * resource was created with, under the credentials the stack config holds for it now.
 */
function contextFor(def: ResourceDefinition, values: Readonly<Record<string, unknown>>): ProviderContext {
  return providerContext(accountOf(values), def.token.module as AccountPlatform);
}

/**
 * `state` with the account the call used: the account is an input, and a definition that rebuilds its state from the
 * platform's answer must not lose it (a lost account would show as a move to the default account).
 */
function withAccount(state: State, account: string | undefined): State {
  return account === undefined || state.account === account ? state : { ...state, account };
}

/**
 * Show the definition a state the engine handed over ({@link ResourceDefinition.observe}). A state whose account
 * has no usable context is not shown: no call of that account could use what it holds either.
 */
function observe(def: ResourceDefinition, state: State): void {
  if (!def.observe) return;
  let ctx: ProviderContext;
  try {
    ctx = contextFor(def, state);
  } catch {
    return;
  }
  def.observe(ctx, state);
}

/** A `check` failure when the named account cannot serve the resource (before any request). */
function accountFailures(def: ResourceDefinition, news: Record<string, unknown>): dynamic.CheckFailure[] {
  const account = news.account;
  if (account === undefined) {
    // The default account's settings (its Scope3 key's shape, its URLs): shown at preview, not at the first call.
    const problem = defaultConfigurationProblem();
    return problem === undefined ? [] : [{ property: "", reason: problem }];
  }
  // Unknown during a preview, or malformed (the schema reports that): nothing to look up.
  if (typeof account !== "string" || !ACCOUNT_NAME_PATTERN.test(account)) return [];
  const problem = accountConfigurationProblem(account, def.token.module as AccountPlatform);
  return problem === undefined ? [] : [{ property: "account", reason: problem }];
}

/** `check`: validation only, no side effects. */
export async function check(
  kind: string,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Promise<dynamic.CheckResult> {
  const def = definitionFor(kind);
  const plainNews = fromEngine(news);
  const result = def.check(plainNews, withoutProvider(olds));
  const failures = [
    ...result.failures.map((f) => ({ property: f.property, reason: f.reason })),
    ...accountFailures(def, plainNews),
  ];
  return {
    inputs: toEngine(failures.length ? withoutProvider(news) : (result.inputs as Record<string, unknown>)),
    failures,
  };
}

/**
 * `diff`: compares input keys only. `changes` is always decided: an undefined answer makes the engine diff every
 * input itself, the serialized provider text included, which would update every resource after an upgrade.
 *
 * Here and in read, update and delete, the stored state is parsed once ({@link parseState}) and the definition gets
 * the typed view; redaction works from the state as stored, so a value left out of that view is still redacted.
 */
export async function diff(
  kind: string,
  _id: string,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Promise<dynamic.DiffResult> {
  const def = definitionFor(kind);
  const plainOlds = parseState(def, withoutProvider(olds));
  observe(def, plainOlds);
  const result = def.diff(plainOlds, fromEngine(news) as never);
  return {
    changes: result.changes,
    replaces: [...result.replaces],
    deleteBeforeReplace: result.deleteBeforeReplace,
  };
}

/**
 * Every secret a call knows, for redaction: each string leaf under the definition's secret inputs and outputs in
 * `maps` (except a `type` discriminator such as `basic`, a schema literal that tells nothing), the values the caller
 * marked secret (`marked`: the plugin's secret inputs), and the provider's configured credentials.
 */
function knownSecrets(
  def: ResourceDefinition,
  maps: readonly (Readonly<Record<string, unknown>> | undefined)[],
  marked: readonly string[] = [],
): string[] {
  const found = new Set(marked);
  const addLeaves = (value: unknown, key?: string): void => {
    if (typeof value === "string") {
      if (key !== "type") found.add(value);
    } else if (Array.isArray(value)) {
      for (const v of value) addLeaves(v);
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) addLeaves(v, k);
    }
  };
  for (const map of maps) {
    for (const path of [...def.secretInputs, ...def.secretOutputs]) {
      let value: unknown = map;
      for (const segment of path.split(".")) {
        value = value && typeof value === "object" ? (value as Record<string, unknown>)[segment] : undefined;
      }
      addLeaves(value);
    }
  }
  for (const credential of configuredCredentials()) found.add(credential);
  return [...found];
}

/** `state` with each platform-text output redacted and capped; the same object when there is nothing to do. */
function withPlatformTextRedacted(def: ResourceDefinition, state: State, secrets: () => readonly string[]): State {
  let out = state;
  for (const name of def.platformTextOutputs ?? []) {
    const text = state[name];
    if (typeof text === "string" && text !== "") out = { ...out, [name]: platformText(text, secrets()) };
  }
  return out;
}

/** Built only when a platform-text output is present (the hot path has none): secrets are found on demand. */
function lazySecrets(make: () => string[]): () => readonly string[] {
  let secrets: string[] | undefined;
  return () => (secrets ??= make());
}

// The engine keeps a partially failed resource with exactly the properties in the error: they must carry
// `__provider`, or later refresh/delete calls could not find the provider code.
function partialFailure(
  def: ResourceDefinition,
  err: PartialFailure,
  providerText: unknown,
  secrets: readonly string[],
): Error {
  const reasons = err.reasons.map((r) =>
    capPlatformText(redact(r, secrets, { bearerTokens: false }), ERROR_MESSAGE_LIMIT),
  );
  const state = withPlatformTextRedacted(def, err.state, () => secrets);
  return Object.assign(redactedError(err, secrets), {
    id: err.id,
    properties: toEngine(providerText === undefined ? state : { ...state, [PROVIDER_KEY]: providerText }),
    reasons,
  });
}

/** The state a partial failure carries (its secret outputs are secrets to redact too). */
function stateOf(err: unknown): State | undefined {
  return err instanceof PartialFailure ? err.state : undefined;
}

/** What a failed create, update, read or delete throws to the engine. */
function failure(def: ResourceDefinition, err: unknown, providerText: unknown, secrets: readonly string[]): Error {
  return err instanceof PartialFailure ? partialFailure(def, err, providerText, secrets) : redactedError(err, secrets);
}

/**
 * `create`. `markedSecrets`: values the caller's engine marked secret beyond the definition's own (the plugin's),
 * redacted from outputs and errors like those.
 */
export async function create(
  kind: string,
  inputs: Record<string, unknown>,
  markedSecrets: readonly string[] = [],
): Promise<dynamic.CreateResult> {
  const def = definitionFor(kind);
  const plainInputs = withoutProvider(inputs);
  const secretsWith = (state?: State) => lazySecrets(() => knownSecrets(def, [plainInputs, state], markedSecrets));
  try {
    const created = await def.create(contextFor(def, plainInputs), plainInputs as never);
    const state = withAccount(created.state, accountOf(plainInputs));
    return { id: created.id, outs: toEngine(withPlatformTextRedacted(def, state, secretsWith(state))) };
  } catch (err) {
    throw failure(def, err, inputs[PROVIDER_KEY], secretsWith(stateOf(err))());
  }
}

/** `read`: `{}` (blank id) tells the engine the object is gone. `markedSecrets` as for {@link create}. */
export async function read(
  kind: string,
  id: string,
  props: Record<string, unknown>,
  markedSecrets: readonly string[] = [],
): Promise<dynamic.ReadResult> {
  const def = definitionFor(kind);
  const stored = withoutProvider(props);
  const olds = parseState(def, stored);
  observe(def, olds);
  let result;
  try {
    result = await def.read(contextFor(def, olds), id, olds);
  } catch (err) {
    throw failure(def, err, undefined, knownSecrets(def, [stored], markedSecrets));
  }
  if (!result) return {};
  const fresh = withAccount(result.state, accountOf(olds));
  const state: State = withPlatformTextRedacted(def, fresh, () => knownSecrets(def, [stored, fresh], markedSecrets));
  return { id: result.id, props: toEngine(state), inputs: toEngine(stateInputs(def, state)) } as dynamic.ReadResult;
}

/** `update`. `markedSecrets` as for {@link create}. */
export async function update(
  kind: string,
  id: string,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  markedSecrets: readonly string[] = [],
): Promise<dynamic.UpdateResult> {
  const def = definitionFor(kind);
  const [storedOlds, plainNews] = [withoutProvider(olds), withoutProvider(news)];
  const plainOlds = parseState(def, storedOlds);
  const secretsWith = (state?: State) =>
    lazySecrets(() => knownSecrets(def, [storedOlds, plainNews, state], markedSecrets));
  observe(def, plainOlds);
  try {
    // An account change replaces (every definition's replaceOn), so olds and news name the same account.
    const state = withAccount(
      await def.update(contextFor(def, plainNews), id, plainOlds, plainNews as never),
      accountOf(plainNews),
    );
    return { outs: toEngine(withPlatformTextRedacted(def, state, secretsWith(state))) };
  } catch (err) {
    throw failure(def, err, news[PROVIDER_KEY], secretsWith(stateOf(err))());
  }
}

/** `delete`. `markedSecrets` as for {@link create}. */
export async function remove(
  kind: string,
  id: string,
  props: Record<string, unknown>,
  markedSecrets: readonly string[] = [],
): Promise<void> {
  const def = definitionFor(kind);
  const stored = withoutProvider(props);
  const state = parseState(def, stored);
  observe(def, state);
  try {
    await def.delete(contextFor(def, state), id, state);
  } catch (err) {
    throw failure(def, err, undefined, knownSecrets(def, [stored], markedSecrets));
  }
}
