/**
 * Pulumi's real dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`), spawned and driven over gRPC the way
 * the engine drives it: Configure with the stack config, then Check/Diff/Create/Read/Update/Delete with property
 * Structs that carry the serialized provider (`__provider`).
 *
 * Secrets: the host tells the engine it accepts none, so it is sent plain values ({@link Secret} inputs are unwrapped
 * on the way in) and its answers are returned as it gives them, plain. Marking outputs secret (same-named secret
 * inputs, `additionalSecretOutputs`) is the engine's work and is tested through the real `pulumi` CLI (test/e2e/),
 * never re-enacted here.
 */
import { dirname, join } from "node:path";
import type * as GrpcModule from "@grpc/grpc-js";
import type * as StructModule from "google-protobuf/google/protobuf/struct_pb";
import type * as ProviderProtoModule from "@pulumi/pulumi/proto/provider_pb";
import {
  callUnary,
  loadProviderRpc,
  resourceInitFailure,
  startGrpcServerProcess,
  toStruct as propertiesToStruct,
  type UnaryMethod,
} from "./grpcProcess";
import type { PulumiProject } from "./project";
import { encodeSecretSignatures, reveal, Secret } from "./secrets";

/** The property that carries the serialized dynamic provider in every resource's inputs and outputs. */
export const PROVIDER_KEY = "__provider";

/** Plain property map as the host sees it (secrets may be marked with {@link Secret} on the harness side). */
export type PropertyMap = Record<string, unknown>;

/** One validation failure reported by a provider's `check`. */
export interface CheckFailure {
  /** Property path, as the provider reported it (for example `destination.sasToken`). */
  property: string;
  /** What is wrong and how to fix it. */
  reason: string;
}

/** Result of {@link DynamicProviderHost.check}. */
export interface CheckResult {
  /** The checked inputs (including `__provider`), secret where the new input of the same name was secret. */
  inputs: PropertyMap;
  /** Validation failures; empty when the inputs are valid. */
  failures: CheckFailure[];
}

/** Result of {@link DynamicProviderHost.diff}. */
export interface DiffResult {
  /** `unknown` means the provider returned no verdict and the engine diffs the inputs itself. */
  changes: "none" | "some" | "unknown";
  /** Input keys whose change forces replacement. */
  replaces: string[];
  /** Whether the old object must be deleted before its replacement is created. */
  deleteBeforeReplace: boolean;
  /** Changed keys, when the provider reports them (the dynamic host does not). */
  diffs: string[];
}

/** Result of {@link DynamicProviderHost.create}. */
export interface CreateResult {
  /** The new object's id. */
  id: string;
  /** Outputs (including `__provider`), as the host returns them (plain). */
  outputs: PropertyMap;
}

/** Result of {@link DynamicProviderHost.read}. */
export interface ReadResult {
  /** The object's id, or `""` when the object is gone (the engine drops it from state). */
  id: string;
  /** Refreshed outputs (including `__provider`), as the host returns them (plain). */
  outputs: PropertyMap;
  /** Inputs the provider returned for later diffs, or undefined when it returned none. */
  inputs: PropertyMap | undefined;
}

/** Result of {@link DynamicProviderHost.update}. */
export interface UpdateResult {
  /** Outputs after the update (including `__provider`), as the host returns them (plain). */
  outputs: PropertyMap;
}

/** A provider method failed; `message` is the provider's own message. */
export class ProviderError extends Error {
  /**
   * @param message the provider's message
   * @param method the gRPC method that failed (`Create`, `Check`, ...)
   * @param code the gRPC status code
   */
  constructor(
    message: string,
    readonly method: string,
    readonly code: number,
  ) {
    super(message);
    this.name = "ProviderError";
  }
}

/**
 * Create or Update made the object but it did not become healthy. The engine keeps the resource in state with this
 * `id` and `outputs` and marks it as failed to initialize, so nothing is orphaned.
 */
export class PartialFailureError extends ProviderError {
  /**
   * @param message the provider's message
   * @param method `Create` or `Update`
   * @param code the gRPC status code
   * @param id the id of the object that exists now
   * @param outputs its outputs, as the host returned them
   * @param reasons why it failed to initialize
   */
  constructor(
    message: string,
    method: string,
    code: number,
    readonly id: string,
    readonly outputs: PropertyMap,
    readonly reasons: string[],
  ) {
    super(message, method, code);
    this.name = "PartialFailureError";
  }
}

/** Options of {@link startDynamicProviderHost}. */
export interface HostOptions {
  /** Project name the host reports for unqualified config keys. Default: `project`. */
  projectName?: string;
  /** Stack name in the host's environment. Default: `stack`. */
  stackName?: string;
  /** Deadline of each gRPC call. Default: 120 s. */
  callTimeoutMs?: number;
  /** How long to wait for the host to print its port. Default: 30 s. */
  startTimeoutMs?: number;
  /** Node options for the host process (e.g. `--cpu-prof` when profiling it). Default: none. */
  execArgv?: readonly string[];
}

/** A running dynamic-provider host process and a gRPC client connected to it. */
export interface DynamicProviderHost {
  /** The host's gRPC port on 127.0.0.1. */
  readonly port: number;
  /** The host's process id. */
  readonly pid: number;
  /** Whether `configure` has been called. */
  readonly configured: boolean;
  /** Everything the host printed on stdout and stderr so far. */
  logs(): string;
  /**
   * Configure with the stack config (keys like `interchange:apiKey`). Secret values are sent as RPC secrets, as the
   * engine sends them; the host unwraps them, so a provider's `configure` sees `req.config.get(key)` decrypted.
   */
  configure(config: Record<string, string | Secret<string>>): Promise<void>;
  /** Check: validate `news` against `olds` (the previous inputs, `{}` for a new resource). */
  check(urn: string, olds: PropertyMap, news: PropertyMap): Promise<CheckResult>;
  /** Diff: compare old outputs with new inputs. `oldInputs` is sent as the engine sends it (optional). */
  diff(id: string, urn: string, olds: PropertyMap, news: PropertyMap, oldInputs?: PropertyMap): Promise<DiffResult>;
  /** Create. Throws {@link PartialFailureError} for a partial failure, {@link ProviderError} otherwise. */
  create(urn: string, inputs: PropertyMap): Promise<CreateResult>;
  /** Read (refresh) with the current outputs as `props`; `inputs` are the resource's inputs from state. */
  read(id: string, urn: string, props: PropertyMap, inputs?: PropertyMap): Promise<ReadResult>;
  /** Update from old outputs `olds` to new inputs `news`. Throws like {@link DynamicProviderHost.create}. */
  update(
    id: string,
    urn: string,
    olds: PropertyMap,
    news: PropertyMap,
    opts?: { oldInputs?: PropertyMap },
  ): Promise<UpdateResult>;
  /** Delete the object with its current outputs `props`. */
  delete(id: string, urn: string, props: PropertyMap, oldInputs?: PropertyMap): Promise<void>;
  /** Closes the channel and stops the host process. */
  close(): Promise<void>;
}

/** A Pulumi URN: `urn:pulumi:<stack>::<project>::<type>::<name>`. */
export function urn(type: string, name: string, project = "project", stack = "stack"): string {
  return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

/** Type and name parts of a URN (the engine sends them next to the URN in every request). */
function urnParts(value: string): { type: string; name: string } {
  const parts = value.split("::");
  const qualifiedType = parts[2] ?? "";
  return { type: qualifiedType.split("$").pop() ?? qualifiedType, name: parts.slice(3).join("::") };
}

/**
 * Spawns `node <@pulumi/pulumi>/cmd/dynamic-provider/index.js 127.0.0.1:1` in the project directory (the engine
 * address is unused by the host), reads the port it prints, and connects a `ResourceProviderClient` to it.
 */
export async function startDynamicProviderHost(
  project: PulumiProject,
  opts: HostOptions = {},
): Promise<DynamicProviderHost> {
  const pulumiDir = dirname(project.resolve("@pulumi/pulumi/package.json"));
  const proto = loadProviderRpc(pulumiDir);
  const projectName = opts.projectName ?? "project";
  const stackName = opts.stackName ?? "stack";
  const callTimeoutMs = opts.callTimeoutMs ?? 120_000;

  const server = await startGrpcServerProcess({
    name: "dynamic-provider host",
    args: [...(opts.execArgv ?? []), join(pulumiDir, "cmd", "dynamic-provider", "index.js"), "127.0.0.1:1"],
    cwd: project.dir,
    env: { ...process.env, PULUMI_NODEJS_PROJECT: projectName, PULUMI_NODEJS_STACK: stackName },
    startTimeoutMs: opts.startTimeoutMs ?? 30_000,
  });
  const port = server.port;

  const client = new proto.providerGrpc.ResourceProviderClient(
    `127.0.0.1:${port}`,
    proto.grpc.credentials.createInsecure(),
  );
  let configured = false;

  const toStruct = (props: PropertyMap): StructModule.Struct => propertiesToStruct(proto, reveal<PropertyMap>(props));
  const fromStruct = (struct: StructModule.Struct | undefined): PropertyMap =>
    (struct?.toJavaScript() as PropertyMap | undefined) ?? {};

  /** One unary call with a deadline; gRPC errors become ProviderError / PartialFailureError. */
  function call<Req, Res>(
    method: string,
    invoke: UnaryMethod<Req, Res>,
    req: Req,
    mayPartiallyFail = false,
  ): Promise<Res> {
    return callUnary(proto, client, invoke, req, callTimeoutMs, (error) =>
      toProviderError(method, error, mayPartiallyFail),
    );
  }

  function toProviderError(method: string, error: GrpcModule.ServiceError, mayPartiallyFail: boolean): ProviderError {
    const message = error.details || error.message;
    const initFailed = mayPartiallyFail && resourceInitFailure(proto, error);
    if (initFailed) {
      const outputs = fromStruct(initFailed.getProperties());
      return new PartialFailureError(
        message,
        method,
        error.code,
        initFailed.getId(),
        outputs,
        initFailed.getReasonsList(),
      );
    }
    return new ProviderError(message, method, error.code);
  }

  function setIdentity(
    req: { setUrn(value: string): unknown; setName(value: string): unknown; setType(value: string): unknown },
    resourceUrn: string,
  ): void {
    const { type, name } = urnParts(resourceUrn);
    req.setUrn(resourceUrn);
    req.setName(name);
    req.setType(type);
  }

  return {
    port,
    pid: server.pid,
    get configured() {
      return configured;
    },
    logs: server.logs,

    async configure(config) {
      const req = new proto.provider.ConfigureRequest();
      req.setArgs(
        proto.struct.Struct.fromJavaScript(
          encodeSecretSignatures(config) as Record<string, StructModule.JavaScriptValue>,
        ),
      );
      // The engine also fills the legacy string map; the dynamic host ignores it.
      const variables = req.getVariablesMap();
      for (const [key, value] of Object.entries(config)) variables.set(key, reveal<string>(value));
      req.setAcceptsecrets(true);
      req.setAcceptresources(true);
      req.setSendsOldInputs(true);
      req.setSendsOldInputsToDelete(true);
      setIdentity(req, urn("pulumi:providers:pulumi-nodejs", "default", projectName, stackName));
      await call("Configure", client.configure, req);
      configured = true;
    },

    async check(resourceUrn, olds, news) {
      const req = new proto.provider.CheckRequest();
      setIdentity(req, resourceUrn);
      req.setOlds(toStruct(olds));
      req.setNews(toStruct(news));
      const res = await call<ProviderProtoModule.CheckRequest, ProviderProtoModule.CheckResponse>(
        "Check",
        client.check,
        req,
      );
      return {
        inputs: fromStruct(res.getInputs()),
        failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
      };
    },

    async diff(id, resourceUrn, olds, news, oldInputs) {
      const req = new proto.provider.DiffRequest();
      req.setId(id);
      setIdentity(req, resourceUrn);
      req.setOlds(toStruct(olds));
      req.setNews(toStruct(news));
      if (oldInputs) req.setOldInputs(toStruct(oldInputs));
      const res = await call<ProviderProtoModule.DiffRequest, ProviderProtoModule.DiffResponse>(
        "Diff",
        client.diff,
        req,
      );
      const Changes = proto.provider.DiffResponse.DiffChanges;
      const changes = res.getChanges();
      return {
        changes: changes === Changes.DIFF_SOME ? "some" : changes === Changes.DIFF_NONE ? "none" : "unknown",
        replaces: res.getReplacesList(),
        deleteBeforeReplace: res.getDeletebeforereplace(),
        diffs: res.getDiffsList(),
      };
    },

    async create(resourceUrn, inputs) {
      const req = new proto.provider.CreateRequest();
      setIdentity(req, resourceUrn);
      req.setProperties(toStruct(inputs));
      req.setPreview(false);
      const res = await call<ProviderProtoModule.CreateRequest, ProviderProtoModule.CreateResponse>(
        "Create",
        client.create,
        req,
        true,
      );
      return {
        id: res.getId(),
        outputs: fromStruct(res.getProperties()),
      };
    },

    async read(id, resourceUrn, props, inputs) {
      const req = new proto.provider.ReadRequest();
      req.setId(id);
      setIdentity(req, resourceUrn);
      req.setProperties(toStruct(props));
      if (inputs) req.setInputs(toStruct(inputs));
      const res = await call<ProviderProtoModule.ReadRequest, ProviderProtoModule.ReadResponse>(
        "Read",
        client.read,
        req,
      );
      const returnedInputs = res.getInputs();
      return {
        id: res.getId(),
        outputs: fromStruct(res.getProperties()),
        inputs: returnedInputs ? fromStruct(returnedInputs) : undefined,
      };
    },

    async update(id, resourceUrn, olds, news, updateOpts = {}) {
      const req = new proto.provider.UpdateRequest();
      req.setId(id);
      setIdentity(req, resourceUrn);
      req.setOlds(toStruct(olds));
      req.setNews(toStruct(news));
      if (updateOpts.oldInputs) req.setOldInputs(toStruct(updateOpts.oldInputs));
      req.setPreview(false);
      const res = await call<ProviderProtoModule.UpdateRequest, ProviderProtoModule.UpdateResponse>(
        "Update",
        client.update,
        req,
        true,
      );
      return { outputs: fromStruct(res.getProperties()) };
    },

    async delete(id, resourceUrn, props, oldInputs) {
      const req = new proto.provider.DeleteRequest();
      req.setId(id);
      setIdentity(req, resourceUrn);
      req.setProperties(toStruct(props));
      if (oldInputs) req.setOldInputs(toStruct(oldInputs));
      await call("Delete", client.delete, req);
    },

    async close() {
      client.close();
      await server.stop();
    },
  };
}
