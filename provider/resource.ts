/**
 * The engine-neutral resource-definition contract. Each resource is one {@link ResourceDefinition}, written once and
 * served by every adapter (the Pulumi dynamic-provider shims in provider/pulumi/, the provider plugin in
 * provider/plugin/, a Terraform adapter later). Definitions see plain values only: adapters own unknown sentinels,
 * secret wrapping, partial-failure encodings and schema generation.
 */
import type { z } from "zod";
import type { ProviderContext } from "./context";

export { UNKNOWN, containsUnknown, type Unknown } from "./unknown";

/** A user mistake found by `check`: the property path (`auth.token`, `destination.bucket`) and how to fix it. */
export interface CheckFailure {
  /** Dotted path of the offending input, as the user wrote it in their program. */
  readonly property: string;
  /** What is wrong and what to write instead. */
  readonly reason: string;
}

/** What `check` returns: the normalized inputs (defaults applied) and every failure. */
export interface CheckResult<I> {
  /** Inputs to store and pass to create/update; equal to the news when there are failures. */
  readonly inputs: I;
  /** Every problem found; empty when the inputs are valid. */
  readonly failures: readonly CheckFailure[];
}

/** What `diff` returns. Only input keys are compared; output-only fields never cause a diff. */
export interface DiffResult {
  /** Whether any input changed. */
  readonly changes: boolean;
  /** Input keys whose change forces a replacement. */
  readonly replaces: readonly string[];
  /** Whether the old object must be deleted before its replacement is created (names that must stay unique). */
  readonly deleteBeforeReplace: boolean;
  /** Every changed input key (for previews and plugin detailed diffs). */
  readonly changedKeys: readonly string[];
}

/**
 * A resource's state as stored by the engine, untyped: its inputs merged with its outputs, under plain names. What
 * adapters hold; definitions get it typed ({@link StateOf}).
 */
export type State = Readonly<Record<string, unknown>>;

/**
 * A resource's state as its lifecycle methods see it: every input and output key typed as its schema declares it (or
 * absent: a state written before a field existed, an import, a stored value of another shape), and keys no schema
 * declares (written by a newer or older version) passed through untouched, so nothing stored is lost.
 */
export type StateOf<I extends object, O extends object> = Readonly<Partial<I & O>> & State;

/** The result of a successful create. */
export interface Created<I extends object = Record<string, unknown>, O extends object = object> {
  /** The platform's id of the object. */
  readonly id: string;
  /** Inputs merged with outputs. */
  readonly state: StateOf<I, O>;
}

/** The result of a read: the refreshed state, or `undefined` when the object no longer exists. */
export type ReadResult<I extends object = Record<string, unknown>, O extends object = object> =
  { readonly id: string; readonly state: StateOf<I, O> } | undefined;

/** The static facts an adapter needs about a resource. */
export interface ResourceToken {
  /** Module of the type token, e.g. `interchange`. */
  readonly module: string;
  /** Type name, e.g. `StorefrontSourceCredential`. */
  readonly type: string;
}

/**
 * The prose of a resource's SDK class and reference page. Field and type docs are the schemas' `.describe()` texts;
 * these are the parts no field holds. Markdown; `npm run gen` writes them into the SDK class's TSDoc.
 */
export interface ResourceDocs {
  /** The class's first paragraph: what the resource is. */
  readonly summary: string;
  /** The rest of the class doc: lifecycle, what replaces, what delete does, limitations (paragraphs). */
  readonly details: string;
  /** A TypeScript program declaring the resource (the class's `@example`). */
  readonly example: string;
  /** The TSDoc of the SDK's Args interface. */
  readonly args: string;
  /** The TSDoc of the SDK class's static `get` (look up an existing object by id). */
  readonly get: string;
  /** The TSDoc of the SDK class's constructor. */
  readonly constructorDoc: string;
  /** The resource's reference page, whose argument and output tables are generated (`docs/<name>.md`). */
  readonly page: string;
}

/**
 * One resource: its schema, its rules and its lifecycle. Implementations live next to their platform's client
 * (provider/interchange/, provider/commercelayer/) and make HTTP calls only through `ctx`.
 */
export interface ResourceDefinition<I extends object = Record<string, unknown>, O extends object = object> {
  /** Type token parts: `pulumi-nodejs:dynamic/<module>:<type>` for dynamic resources. */
  readonly token: ResourceToken;
  /** One paragraph for schemas and docs. */
  readonly description: string;
  /** The SDK class's and reference page's prose (field docs come from the schemas). */
  readonly docs: ResourceDocs;
  /** The inputs schema: a `z.object` (refinements allowed) with `.describe()` on every field (used for schemas). */
  readonly inputs: z.ZodType<I>;
  /** The outputs added to the inputs in state (with `.describe()` on every field). */
  readonly outputs: z.ZodType<O>;
  /** Dotted paths of secret inputs (`auth.token`); adapters wrap them as secrets. */
  readonly secretInputs: readonly string[];
  /** Output names that are secret although no input of that name is (`clientSecret`). */
  readonly secretOutputs: readonly string[];
  /**
   * Output names whose value is free text the platform wrote (a probe's failure reason), which may quote the request
   * and so a secret: adapters redact every known secret from them and cap their length. Default none.
   */
  readonly platformTextOutputs?: readonly string[];
  /** Input keys whose change forces replacement. */
  readonly replaceOn: readonly (keyof I & string)[];

  /**
   * Validate inputs before anything touches the network: property paths, the platform's own limits, and a fix
   * in every reason. Values equal to {@link UNKNOWN} (or containing it) must pass. No side effects. `news` is what the
   * program wrote, and `olds` the previous inputs as stored: both untyped, since judging them is what check is for.
   */
  check(news: Record<string, unknown>, olds?: State): CheckResult<I>;
  /**
   * Compare the previous state's input keys with the new inputs (check's output, which may hold {@link UNKNOWN}
   * during a preview). No side effects.
   */
  diff(olds: StateOf<I, O>, news: I): DiffResult;
  /**
   * Optional: shown every resource state the adapter is handed, before `diff`, `read`, `update` and `delete` (not
   * `check`, whose olds are inputs without the outputs that date them). It lets a definition keep in process memory
   * what the platform never returns but a call on another resource needs: the engine calls only `diff` on an
   * unchanged resource during an update, so that state reaches the provider nowhere else, and `diff` itself must stay
   * free of side effects. Makes no request and does not throw.
   */
  observe?(ctx: ProviderContext, state: StateOf<I, O>): void;
  /** Create the object. Throws {@link PartialFailure} when the object exists but is not healthy. */
  create(ctx: ProviderContext, inputs: I): Promise<Created<I, O>>;
  /** Refresh from the platform; `undefined` when the object is gone. */
  read(ctx: ProviderContext, id: string, state: StateOf<I, O>): Promise<ReadResult<I, O>>;
  /** Apply in-place changes; returns the new state. Throws {@link PartialFailure} like create. */
  update(ctx: ProviderContext, id: string, olds: StateOf<I, O>, news: I): Promise<StateOf<I, O>>;
  /** Remove the object (or, where the platform cannot, stop managing it and say so in docs and outputs). */
  delete(ctx: ProviderContext, id: string, state: StateOf<I, O>): Promise<void>;
}

/**
 * The object was created or updated but is not healthy (a failed probe). Adapters turn this into the engine's
 * partial-failure answer so the object stays in state with its id and the reason is shown.
 */
export class PartialFailure<S extends State = State> extends Error {
  override readonly name = "PartialFailure";
  constructor(
    /** The id of the object that exists. */
    readonly id: string,
    /** Its state, as create/update would have returned it (the definition's {@link StateOf}). */
    readonly state: S,
    /** Why it is not healthy (shown to the user). */
    readonly reasons: readonly string[],
  ) {
    super(reasons.join("; "));
  }
}

/**
 * The provider refuses an operation before writing anything, because it would lose data or cannot be done
 * safely. The message names what is in the way and the way out.
 */
export class RefusedError extends Error {
  override readonly name = "RefusedError";
}

/** A broken invariant in this package. The message says so and asks for a report. */
export class BugError extends Error {
  override readonly name = "BugError";
  constructor(message: string) {
    super(`${message} (this is a bug in pulumi-platform-credentials; please report it with the steps that led here)`);
  }
}

/**
 * The fields of a `z.object` schema, refined or not (zod keeps a refined object a `z.object`), or of the object a
 * pipe holds (`object.transform(...)` starts from it, `z.preprocess(..., object)` ends in it); undefined for any
 * other schema.
 */
export function objectShape(schema: z.ZodType): Readonly<Record<string, z.ZodType>> | undefined {
  const { shape, in: from, out: to } = schema as { shape?: Record<string, z.ZodType>; in?: z.ZodType; out?: z.ZodType };
  if (shape) return shape;
  return (from && objectShape(from)) ?? (to && objectShape(to));
}

/** The input keys of a definition (the keys of its `z.object` inputs schema). */
export function inputKeys<I extends object, O extends object>(def: ResourceDefinition<I, O>): string[] {
  const shape = objectShape(def.inputs);
  if (!shape) throw new BugError(`${def.token.module}:${def.token.type} inputs schema is not a z.object`);
  return Object.keys(shape);
}

/** Compare the inputs named by `keys` between a previous state and new inputs (deep, JSON semantics). */
export function changedInputKeys(keys: readonly string[], olds: State, news: Record<string, unknown>): string[] {
  return keys.filter((k) => !sameValue(olds[k], news[k]));
}

/** Deep equality over JSON values, where `undefined` and a missing key are the same. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => sameValue(v, b[i]));
  }
  if (typeof a === "object" && typeof b === "object") {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
    for (const k of keys) if (!sameValue(ao[k], bo[k])) return false;
    return true;
  }
  return false;
}

/** Build a {@link DiffResult} from the changed keys and the definition's replace rules. */
export function diffByKeys(
  keys: readonly string[],
  replaceOn: readonly string[],
  olds: State,
  news: Record<string, unknown>,
  deleteBeforeReplace = false,
): DiffResult {
  const changedKeys = changedInputKeys(keys, olds, news);
  const replaces = changedKeys.filter((k) => replaceOn.includes(k));
  return {
    changes: changedKeys.length > 0,
    replaces,
    deleteBeforeReplace: replaces.length > 0 && deleteBeforeReplace,
    changedKeys,
  };
}
