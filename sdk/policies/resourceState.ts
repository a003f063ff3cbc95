/**
 * How the policies read a resource's state (inputs + outputs) as the analyzer hands it over: matched by type token,
 * read without tripping over values that are unknown during a preview.
 *
 * Each resource has two type tokens: `pulumi-nodejs:dynamic/<module>:<Type>` when a TypeScript program declares it
 * with this package's classes, and `platform-credentials:<module>:<Type>` when a program (Python, Go, YAML, or an
 * explicit provider) uses the provider plugin. Every policy matches both, from provider/plugin/tokens.ts.
 */
import type { ReportViolation, ResourceValidation, StackValidation } from "@pulumi/policy";
import { resourceKinds } from "../../provider/kinds";
import { typeTokensOf } from "../../provider/plugin/tokens";
import { UNKNOWN, UNKNOWN_SENTINELS } from "../../provider/unknown";

/** Marks a property whose value the engine does not know yet (a preview of a new or changed resource). */
export { UNKNOWN };

/** Both type tokens of `interchange.DataDeliveryCredential` (dynamic resource, provider plugin). */
export const DATA_DELIVERY_CREDENTIAL_TYPES = typeTokensOf(resourceKinds.dataDeliveryCredential);
/** Both type tokens of `interchange.StorefrontSourceCredential` (dynamic resource, provider plugin). */
export const STOREFRONT_SOURCE_CREDENTIAL_TYPES = typeTokensOf(resourceKinds.storefrontSourceCredential);
/** Both type tokens of `commercelayer.ApiCredential` (dynamic resource, provider plugin). */
export const COMMERCE_LAYER_API_CREDENTIAL_TYPES = typeTokensOf(resourceKinds.apiCredential);

/** Type token of `interchange.DataDeliveryCredential` as a TypeScript dynamic resource. */
export const DATA_DELIVERY_CREDENTIAL_TYPE = DATA_DELIVERY_CREDENTIAL_TYPES[0];
/** Type token of `interchange.StorefrontSourceCredential` as a TypeScript dynamic resource. */
export const STOREFRONT_SOURCE_CREDENTIAL_TYPE = STOREFRONT_SOURCE_CREDENTIAL_TYPES[0];
/** Type token of `commercelayer.ApiCredential` as a TypeScript dynamic resource. */
export const COMMERCE_LAYER_API_CREDENTIAL_TYPE = COMMERCE_LAYER_API_CREDENTIAL_TYPES[0];

/** The type tokens a policy applies to. */
export type TypeTokens = string | readonly string[];

function matcher(tokens: TypeTokens): (type: string) => boolean {
  const set = new Set(typeof tokens === "string" ? [tokens] : tokens);
  return (type) => set.has(type);
}

/**
 * The `__pulumiType` tag lets the analyzer skip other types before deserializing them and report the policy as not
 * applicable (`@pulumi/policy` server.js), but it holds one token: a policy of several tokens goes untagged, and the
 * check inside the validation does the matching.
 */
function tagged<F extends object>(validation: F, tokens: TypeTokens): F {
  const only = typeof tokens === "string" ? tokens : tokens.length === 1 ? tokens[0] : undefined;
  return only === undefined ? validation : Object.assign(validation, { __pulumiType: only });
}

/** A property as a policy sees it: its value, {@link UNKNOWN} during a preview, or undefined when absent. */
export type PropertyValue<T> = T | typeof UNKNOWN | undefined;

/**
 * One property of `props`, read through the property descriptor: `@pulumi/policy` wraps `props` in a proxy that
 * throws on reading an unknown value, which the analyzer then reports as "can't run policy during preview". An
 * unknown status or bucket is simply not a violation, so the policies read past the proxy.
 */
export function readProperty(props: object | undefined, key: string): unknown {
  if (props === undefined || props === null || typeof props !== "object") return undefined;
  const value: unknown = Object.getOwnPropertyDescriptor(props, key)?.value;
  return typeof value === "string" && UNKNOWN_SENTINELS.has(value) ? UNKNOWN : value;
}

/** A string property; non-strings (which the provider never writes) read as absent. */
export function readString(props: object | undefined, key: string): PropertyValue<string> {
  const value = readProperty(props, key);
  return value === UNKNOWN || typeof value === "string" ? value : undefined;
}

/** A number property; non-numbers read as absent. */
export function readNumber(props: object | undefined, key: string): PropertyValue<number> {
  const value = readProperty(props, key);
  return value === UNKNOWN || typeof value === "number" ? value : undefined;
}

/** An object property (such as `destination`); non-objects read as absent. */
export function readObject(props: object | undefined, key: string): PropertyValue<object> {
  const value = readProperty(props, key);
  return value === UNKNOWN || (typeof value === "object" && value !== null && !Array.isArray(value))
    ? value
    : undefined;
}

/** Whether a property is known and present. */
export function isKnown<T>(value: PropertyValue<T>): value is T {
  return value !== undefined && value !== UNKNOWN;
}

/** A resource validation that runs for resources of the given type tokens only (see {@link tagged}). */
export function validateResourceOfToken(
  tokens: TypeTokens,
  validate: (props: object, args: Parameters<ResourceValidation>[0], reportViolation: ReportViolation) => void,
): ResourceValidation {
  const matches = matcher(tokens);
  const validation: ResourceValidation = (args, reportViolation) => {
    if (matches(args.type)) validate(args.props, args, reportViolation);
  };
  return tagged(validation, tokens);
}

/**
 * A stack validation that runs when the stack holds resources of the given type tokens, and sees only those.
 *
 * Checks of outputs (`status`, `expiresAt`, `oauthAuthorizationUrl`) must be stack validations: the engine sends a
 * resource's inputs to `Analyze` and its outputs (final state, after the update or refresh) only to `AnalyzeStack`
 * (pulumi/pulumi `step_generator.go`, `analyze_snapshot.go`).
 */
export function validateStackResourcesOfToken(
  tokens: TypeTokens,
  validate: (
    resources: Parameters<StackValidation>[0]["resources"],
    args: Parameters<StackValidation>[0],
    reportViolation: ReportViolation,
  ) => void,
): StackValidation {
  const matches = matcher(tokens);
  const validation: StackValidation = (args, reportViolation) =>
    validate(
      args.resources.filter((resource) => matches(resource.type)),
      args,
      reportViolation,
    );
  return tagged(validation, tokens);
}

/**
 * A stack validation that judges each resource of the given type tokens on its own state (outputs), reporting on its
 * URN.
 */
export function validateEachStackResourceOfToken(
  tokens: TypeTokens,
  validate: (
    props: object,
    urn: string,
    args: Parameters<StackValidation>[0],
    reportViolation: ReportViolation,
  ) => void,
): StackValidation {
  return validateStackResourcesOfToken(tokens, (resources, args, reportViolation) => {
    for (const resource of resources) validate(resource.props, resource.urn, args, reportViolation);
  });
}
