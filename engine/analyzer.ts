/**
 * A policy pack run the way the Pulumi engine runs it, and driven over gRPC the way the engine drives it:
 * GetAnalyzerInfo, Configure (policy config reconciled with each policy's schema and defaults), then Analyze for one
 * resource (its inputs, before a step) or AnalyzeStack for every resource (their outputs, after an update).
 */
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import Ajv from "ajv";
import type * as StructModule from "google-protobuf/google/protobuf/struct_pb";
import type * as EmptyModule from "google-protobuf/google/protobuf/empty_pb";
import type * as AnalyzerProtoModule from "@pulumi/pulumi/proto/analyzer_pb";
import {
  callUnary,
  loadAnalyzerRpc,
  startGrpcServerProcess,
  toStruct as valueToStruct,
  type UnaryMethod,
} from "./grpcProcess";
import { encodeSecretSignatures } from "./secrets";

/** Enforcement levels as `@pulumi/policy` names them. */
export type EnforcementLevelName = "advisory" | "mandatory" | "disabled" | "remediate";

/** One resource handed to the analyzer. Property values may be wrapped in `Secret` (sent as RPC secrets). */
export interface AnalyzerResource {
  /** Type token, for example `pulumi-nodejs:dynamic/interchange:DataDeliveryCredential`. */
  type: string;
  /** The resource's name in the program. */
  name: string;
  /** Its properties: inputs for {@link PolicyPackProcess.analyze}, outputs for `analyzeStack`. */
  properties: Record<string, unknown>;
  /** Its URN. Default: `urn:pulumi:stack::project::<type>::<name>`. */
  urn?: string;
  /** URN of its parent resource, if any. */
  parent?: string;
  /** URNs of the resources it depends on. */
  dependencies?: string[];
  /** Resource options the engine reports. Default: none set. */
  options?: { protect?: boolean; ignoreChanges?: string[]; additionalSecretOutputs?: string[] };
}

/** One policy violation reported by the pack. */
export interface PolicyDiagnostic {
  /** The violated policy. */
  policyName: string;
  /** The pack that reported it. */
  policyPackName: string;
  /** The policy's description, a newline, and the violation's message (as `@pulumi/policy` composes it). */
  message: string;
  /** The policy's description. */
  description: string;
  /** Enforcement level of this violation. */
  enforcementLevel: EnforcementLevelName;
  /** URN of the resource the violation is about (the analyzed one for `analyze`); undefined when a stack policy named none. */
  urn: string | undefined;
}

/** A policy as the pack describes it in GetAnalyzerInfo. */
export interface PolicyInfo {
  /** The policy's name. */
  name: string;
  /** Its one-sentence description. */
  description: string;
  /** Its default enforcement level. */
  enforcementLevel: EnforcementLevelName;
  /** `resource` (Analyze) or `stack` (AnalyzeStack). */
  kind: "resource" | "stack";
  /** JSON-schema properties of its config, when it has any. */
  configSchema: { properties: Record<string, unknown>; required: string[] } | undefined;
}

/** The pack's GetAnalyzerInfo answer. */
export interface AnalyzerInfo {
  /** The pack's name. */
  name: string;
  /** The version from the pack's package.json. */
  version: string;
  /** Whether the pack accepts Configure. */
  supportsConfig: boolean;
  /** Its policies. */
  policies: PolicyInfo[];
}

/**
 * Policy pack config as in a `--policy-pack-config` file: per policy, an enforcement level, or an object with an
 * optional `enforcementLevel` and the policy's config properties.
 */
export type PolicyPackConfig = Record<
  string,
  EnforcementLevelName | ({ enforcementLevel?: EnforcementLevelName } & Record<string, unknown>)
>;

/** Options of {@link startPolicyPack}. */
export interface PolicyPackOptions {
  /** Deadline of each gRPC call. Default: 60 s. */
  callTimeoutMs?: number;
  /** How long to wait for the pack to print its port. Default: 30 s. */
  startTimeoutMs?: number;
  /** Extra environment variables of the pack process. */
  env?: Record<string, string>;
}

/** A running policy pack process and a gRPC client connected to it. */
export interface PolicyPackProcess {
  /** The pack's gRPC port on 127.0.0.1. */
  readonly port: number;
  /** The pack's process id. */
  readonly pid: number;
  /** Everything the pack printed on stdout and stderr so far. */
  logs(): string;
  /** GetAnalyzerInfo. */
  info(): Promise<AnalyzerInfo>;
  /**
   * Configure, as the engine does: every policy gets its enforcement level (from `config` or its default) and its
   * schema defaults overlaid with `config`'s properties, validated against its schema. Replaces earlier config.
   * Throws, naming the policy and the property, when the config does not fit a schema.
   */
  configure(config: PolicyPackConfig): Promise<void>;
  /** Analyze one resource (the engine sends a resource's inputs before each step). */
  analyze(resource: AnalyzerResource): Promise<PolicyDiagnostic[]>;
  /** AnalyzeStack over every resource of a stack (the engine sends outputs after a successful update). */
  analyzeStack(resources: AnalyzerResource[]): Promise<PolicyDiagnostic[]>;
  /** Closes the channel and stops the pack process. */
  close(): Promise<void>;
}

/** A gRPC call to the pack failed; `message` is the pack's own message. */
export class AnalyzerError extends Error {
  /**
   * @param message the pack's message
   * @param method the gRPC method that failed (`Analyze`, `Configure`, ...)
   * @param code the gRPC status code
   */
  constructor(
    message: string,
    readonly method: string,
    readonly code: number,
  ) {
    super(message);
    this.name = "AnalyzerError";
  }
}

const LEVEL_NAMES: Record<number, EnforcementLevelName> = {
  0: "advisory",
  1: "mandatory",
  2: "disabled",
  3: "remediate",
};

/**
 * Starts the pack in `packDir` as the engine's Node.js analyzer plugin does:
 * `node <@pulumi/pulumi>/cmd/run-policy-pack <engine-address> <packDir>` with the pack directory as cwd (the engine
 * address is unused by a pack). The `PolicyPack` constructor binds 127.0.0.1:0 and prints the port on stdout. The
 * pack's `package.json` needs a `version`, and `@pulumi/pulumi` and `@pulumi/policy` must resolve from `packDir`.
 */
export async function startPolicyPack(packDir: string, opts: PolicyPackOptions = {}): Promise<PolicyPackProcess> {
  const dir = resolve(packDir);
  const fromPack = createRequire(join(dir, "package.json"));
  const pulumiDir = dirname(fromPack.resolve("@pulumi/pulumi/package.json"));
  const proto = loadAnalyzerRpc(pulumiDir);
  const callTimeoutMs = opts.callTimeoutMs ?? 60_000;

  const server = await startGrpcServerProcess({
    name: "policy pack",
    args: [join(pulumiDir, "cmd", "run-policy-pack"), "127.0.0.1:1", dir],
    cwd: dir,
    env: { ...process.env, ...opts.env },
    startTimeoutMs: opts.startTimeoutMs ?? 30_000,
    portLine: "firstDigitsOnly",
  });
  const port = server.port;

  const client = new proto.analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, proto.grpc.credentials.createInsecure());

  function call<Req, Res>(method: string, invoke: UnaryMethod<Req, Res>, req: Req): Promise<Res> {
    return callUnary(
      proto,
      client,
      invoke,
      req,
      callTimeoutMs,
      (error) => new AnalyzerError(error.details || error.message, method, error.code),
    );
  }

  const toStruct = (value: Record<string, unknown>): StructModule.Struct =>
    valueToStruct(proto, encodeSecretSignatures(value) as Record<string, unknown>);

  function toAnalyzerOptions(options: AnalyzerResource["options"] = {}): AnalyzerProtoModule.AnalyzerResourceOptions {
    // @pulumi/policy refuses requests without options ("A more recent version of the Pulumi CLI is required").
    const result = new proto.analyzer.AnalyzerResourceOptions();
    result.setProtect(options.protect ?? false);
    result.setIgnorechangesList(options.ignoreChanges ?? []);
    result.setAdditionalsecretoutputsList(options.additionalSecretOutputs ?? []);
    result.setCustomtimeouts(new proto.analyzer.AnalyzerResourceOptions.CustomTimeouts());
    return result;
  }

  /** `subject`: the analyzed resource, to which the engine attributes diagnostics that name no URN. */
  function toDiagnostics(res: AnalyzerProtoModule.AnalyzeResponse, subject?: string): PolicyDiagnostic[] {
    return res.getDiagnosticsList().map((d) => ({
      policyName: d.getPolicyname(),
      policyPackName: d.getPolicypackname(),
      message: d.getMessage(),
      description: d.getDescription(),
      enforcementLevel: LEVEL_NAMES[d.getEnforcementlevel()] ?? "advisory",
      urn: d.getUrn() || subject,
    }));
  }

  async function info(): Promise<AnalyzerInfo> {
    const res = await call<EmptyModule.Empty, AnalyzerProtoModule.AnalyzerInfo>(
      "GetAnalyzerInfo",
      client.getAnalyzerInfo,
      new proto.empty.Empty(),
    );
    return {
      name: res.getName(),
      version: res.getVersion(),
      supportsConfig: res.getSupportsconfig(),
      policies: res.getPoliciesList().map((p) => {
        const schema = p.getConfigschema();
        return {
          name: p.getName(),
          description: p.getDescription(),
          enforcementLevel: LEVEL_NAMES[p.getEnforcementlevel()] ?? "advisory",
          kind: p.getPolicyType() === proto.analyzer.PolicyType.POLICY_TYPE_STACK ? "stack" : "resource",
          configSchema: schema
            ? {
                properties: (schema.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown>,
                required: schema.getRequiredList(),
              }
            : undefined,
        };
      }),
    };
  }

  return {
    port,
    pid: server.pid,
    logs: server.logs,
    info,

    async configure(config) {
      const policies = (await info()).policies;
      const known = new Set(policies.map((p) => p.name));
      for (const name of Object.keys(config)) {
        if (!known.has(name)) {
          throw new Error(`Policy pack config names "${name}", which is not a policy of this pack; remove it.`);
        }
      }
      const req = new proto.analyzer.ConfigureAnalyzerRequest();
      const map = req.getPolicyconfigMap();
      for (const policy of policies) {
        const entry = reconcilePolicyConfig(policy, config[policy.name]);
        const policyConfig = new proto.analyzer.PolicyConfig();
        policyConfig.setEnforcementlevel(levelNumber(entry.enforcementLevel, policy.name));
        policyConfig.setProperties(
          proto.struct.Struct.fromJavaScript(entry.properties as Record<string, StructModule.JavaScriptValue>),
        );
        map.set(policy.name, policyConfig);
      }
      await call("Configure", client.configure, req);
    },

    async analyze(resource) {
      const req = new proto.analyzer.AnalyzeRequest();
      req.setType(resource.type);
      req.setName(resource.name);
      const subject = resource.urn ?? resourceUrn(resource);
      req.setUrn(subject);
      req.setProperties(toStruct(resource.properties));
      req.setOptions(toAnalyzerOptions(resource.options));
      return toDiagnostics(
        await call<AnalyzerProtoModule.AnalyzeRequest, AnalyzerProtoModule.AnalyzeResponse>(
          "Analyze",
          client.analyze,
          req,
        ),
        subject,
      );
    },

    async analyzeStack(resources) {
      const req = new proto.analyzer.AnalyzeStackRequest();
      req.setResourcesList(
        resources.map((resource) => {
          const r = new proto.analyzer.AnalyzerResource();
          r.setType(resource.type);
          r.setName(resource.name);
          r.setUrn(resource.urn ?? resourceUrn(resource));
          r.setProperties(toStruct(resource.properties));
          r.setOptions(toAnalyzerOptions(resource.options));
          if (resource.parent) r.setParent(resource.parent);
          r.setDependenciesList(resource.dependencies ?? []);
          return r;
        }),
      );
      return toDiagnostics(
        await call<AnalyzerProtoModule.AnalyzeStackRequest, AnalyzerProtoModule.AnalyzeResponse>(
          "AnalyzeStack",
          client.analyzeStack,
          req,
        ),
      );
    },

    async close() {
      client.close();
      await server.stop();
    },
  };
}

/** The URN the engine would give a top-level resource of the default test stack. */
function resourceUrn(resource: { type: string; name: string }): string {
  return `urn:pulumi:stack::project::${resource.type}::${resource.name}`;
}

function levelNumber(level: EnforcementLevelName, policyName: string): number {
  const entry = Object.entries(LEVEL_NAMES).find(([, name]) => name === level);
  if (!entry) {
    throw new Error(
      `Policy pack config of "${policyName}": enforcementLevel must be advisory, mandatory, remediate or disabled.`,
    );
  }
  return Number(entry[0]);
}

const ajv = new Ajv({ strict: false, allErrors: true, useDefaults: true });

/**
 * One policy's config as the engine sends it: its enforcement level (configured or default) and its properties with
 * the schema's defaults filled in, checked against the schema.
 */
function reconcilePolicyConfig(
  policy: PolicyInfo,
  configured: PolicyPackConfig[string] | undefined,
): { enforcementLevel: EnforcementLevelName; properties: Record<string, unknown> } {
  const { enforcementLevel, ...properties } =
    typeof configured === "string" ? { enforcementLevel: configured } : (configured ?? {});
  if (!policy.configSchema) {
    return { enforcementLevel: enforcementLevel ?? policy.enforcementLevel, properties: {} };
  }
  const schema = { type: "object", properties: policy.configSchema.properties, required: policy.configSchema.required };
  const withDefaults: Record<string, unknown> = structuredClone(properties);
  const validate = ajv.compile(schema);
  if (!validate(withDefaults)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`);
    throw new Error(`Policy pack config of "${policy.name}" does not fit its schema: ${problems.join("; ")}.`);
  }
  return { enforcementLevel: enforcementLevel ?? policy.enforcementLevel, properties: withDefaults };
}
