/**
 * Parsing a stored state for the lifecycle methods ({@link StateOf}). Both adapters (the dynamic provider and the
 * plugin, which serves its calls through the dynamic adapter's functions) parse each state the engine hands over
 * once, after unwrapping secrets and translating unknowns, before any definition sees it; the definitions then read
 * `state.credentialId` typed, with no `typeof` probes.
 *
 * What is checked is each field's type as its schema describes it (string, number, literal, object of these, union,
 * array, record, optional, nullable), not the rules `check` applies to user input (lengths, patterns, refinements):
 * state holds check's normalized output, but also what the platform answered (a Commerce Layer name or redirect URI
 * longer or looser than check accepts, an Azure destination whose SAS token is not known yet and so `""`), and the
 * definitions handle those values. Typed access needs the type and nothing more, which is also what the
 * definitions' `typeof` probes tested before there was a typed view.
 */
import { z } from "zod";
import { BugError, UNKNOWN, objectShape, type ResourceDefinition, type State, type StateOf } from "./resource";

/** Whether a stored value has the type a field's schema describes. */
type Conforms = (value: unknown) => boolean;

/** What parsing needs of a definition, built once per definition (it runs per resource per engine call). */
interface FieldTable {
  /** The type check of each input and output field; a key in both must have both types (the state is `I & O`). */
  readonly fields: ReadonlyMap<string, Conforms>;
  /** The input keys, in schema order. */
  readonly inputKeys: readonly string[];
}

// Keyed by definition: a definition's schemas never change while the process runs.
const tables = new WeakMap<object, FieldTable>();

function tableOf<I extends object, O extends object>(def: ResourceDefinition<I, O>): FieldTable {
  let table = tables.get(def);
  if (table) return table;
  const kind = `${def.token.module}:${def.token.type}`;
  const inputs = objectShape(def.inputs);
  const outputs = objectShape(def.outputs);
  if (!inputs || !outputs) throw new BugError(`${kind} inputs or outputs schema is not a z.object`);
  const fields = new Map<string, Conforms>();
  for (const shape of [inputs, outputs]) {
    for (const [key, schema] of Object.entries(shape)) {
      const conforms = conformsTo(schema, `${kind} ${key}`);
      const other = fields.get(key);
      fields.set(key, other ? (v) => other(v) && conforms(v) : conforms);
    }
  }
  table = { fields, inputKeys: Object.keys(inputs) };
  tables.set(def, table);
  return table;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The type check of `schema`. A value that is (or, inside objects and arrays, holds) {@link UNKNOWN} passes: it is a
 * value the engine does not know yet, never a stored value of another shape. `field` names the field in a BugError.
 */
function conformsTo(schema: z.ZodType, field: string): Conforms {
  const check = typeCheck(schema, field);
  return (v) => v === UNKNOWN || check(v);
}

function typeCheck(schema: z.ZodType, field: string): Conforms {
  if (schema instanceof z.ZodString) return (v) => typeof v === "string";
  if (schema instanceof z.ZodNumber) return (v) => typeof v === "number";
  if (schema instanceof z.ZodBoolean) return (v) => typeof v === "boolean";
  if (schema instanceof z.ZodNull) return (v) => v === null;
  if (schema instanceof z.ZodUnknown || schema instanceof z.ZodAny) return () => true;
  if (schema instanceof z.ZodLiteral || schema instanceof z.ZodEnum) {
    const values = new Set<unknown>(schema instanceof z.ZodLiteral ? schema.values : schema.options);
    return (v) => values.has(v);
  }
  // A default is check's to apply: a stored value kept as stored, and an absent one left absent.
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault) {
    const inner = conformsTo(schema.unwrap() as z.ZodType, field);
    return (v) => v === undefined || inner(v);
  }
  if (schema instanceof z.ZodNullable) {
    const inner = conformsTo(schema.unwrap() as z.ZodType, field);
    return (v) => v === null || inner(v);
  }
  if (schema instanceof z.ZodArray) {
    const element = conformsTo(schema.element as z.ZodType, `${field}[]`);
    return (v) => Array.isArray(v) && v.every(element);
  }
  if (schema instanceof z.ZodRecord) {
    const value = conformsTo(schema.valueType as z.ZodType, `${field}.*`);
    return (v) => isRecord(v) && Object.values(v).every(value);
  }
  if (schema instanceof z.ZodUnion) {
    const options = (schema.options as readonly z.ZodType[]).map((o) => conformsTo(o, field));
    return (v) => options.some((option) => option(v));
  }
  if (schema instanceof z.ZodObject) {
    // Keys the object does not declare are left alone, as at the top level: only declared members are typed.
    const members = Object.entries(schema.shape as Record<string, z.ZodType>).map(
      ([key, member]) => [key, conformsTo(member, `${field}.${key}`)] as const,
    );
    return (v) => isRecord(v) && members.every(([key, conforms]) => conforms(v[key]));
  }
  // A pipe stores what it ends in (check's output); a transform's output has no schema to check it by.
  if (schema instanceof z.ZodPipe && !(schema.out instanceof z.ZodTransform)) {
    return typeCheck(schema.out as z.ZodType, field);
  }
  throw new BugError(
    `state field ${field} has a ${schema.def.type} schema, whose stored values parseState cannot type-check; ` +
      "declare the field with zod's plain types (string, number, boolean, literal, enum, object, union, array, record)",
  );
}

/** Set `out[key]`; a key named `__proto__` stays an own property (assignment would set the prototype instead). */
function put(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    out[key] = value;
  }
}

/**
 * The typed view of a stored state (see the module comment). Per field of the inputs and outputs schemas, a value of
 * the field's type is kept as stored (no default or transform applied again: state already holds check's output);
 * a value of another type (written by an older version in another shape, or edited by hand) is left out, so the
 * definition sees the field absent, as in an imported resource's state, and the value is kept nowhere (it may be a
 * secret): no error, no log. Keys that are no field pass through. Returns `raw` itself when nothing is left out.
 */
export function parseState<I extends object, O extends object>(
  def: ResourceDefinition<I, O>,
  raw: State,
): StateOf<I, O> {
  const { fields } = tableOf(def);
  const keys = Object.keys(raw);
  let out: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const value = raw[key];
    const conforms = fields.get(key);
    if (conforms === undefined || value === undefined || conforms(value)) {
      if (out) put(out, key, value);
    } else if (!out) {
      // The first value left out: copy what came before it, then keep going without it.
      out = {};
      for (const before of keys.slice(0, i)) put(out, before, raw[before]);
    }
  }
  // Every key is now either no field, or a field holding its declared type: what StateOf states.
  return (out ?? raw) as StateOf<I, O>;
}

/** The inputs a state holds: its input keys that have a value, in schema order. */
export function stateInputs<I extends object, O extends object>(
  def: ResourceDefinition<I, O>,
  state: StateOf<I, O>,
): Readonly<Partial<I>> {
  const inputs: Record<string, unknown> = {};
  for (const key of tableOf(def).inputKeys) if (state[key] !== undefined) put(inputs, key, state[key]);
  return inputs as Partial<I>;
}

/** A state without its input keys: the outputs, and keys no schema declares. */
export function stateOutputs<I extends object, O extends object>(
  def: ResourceDefinition<I, O>,
  state: StateOf<I, O>,
): Readonly<Partial<O>> & State {
  const inputKeys = tableOf(def).inputKeys;
  const outputs: Record<string, unknown> = {};
  for (const key of Object.keys(state)) if (!inputKeys.includes(key)) put(outputs, key, state[key]);
  return outputs as Partial<O> & State;
}
