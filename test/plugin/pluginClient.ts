/**
 * The provider plugin spawned as the engine would spawn it, and a gRPC client that drives it like the engine: secret
 * values go over the wire wrapped (the plugin accepts secrets) and come back decoded into {@link Secret} marks, so
 * a test can see exactly which outputs the plugin kept secret. Spawns the plugin and loads @grpc/grpc-js and the
 * protobuf messages from @pulumi/pulumi's own dependency tree through engine/grpcProcess.ts, as engine/host.ts does,
 * so the message classes match the plugin's.
 */
import { dirname, join, resolve } from "node:path";
import type * as GrpcModule from "@grpc/grpc-js";
import type * as StructModule from "google-protobuf/google/protobuf/struct_pb";
import type * as EmptyModule from "google-protobuf/google/protobuf/empty_pb";
import type * as ProviderProtoModule from "@pulumi/pulumi/proto/provider_pb";
import {
  callUnary,
  loadProviderRpc,
  resourceInitFailure,
  startGrpcServerProcess,
  toStruct as valueToStruct,
  type UnaryMethod,
} from "../../engine/grpcProcess";
import { decodeSecretSignatures, encodeSecretSignatures } from "../../engine/secrets";

/** Root of this repository (where package.json, PulumiPlugin.yaml and dist/ are). */
export const REPO_ROOT = resolve(__dirname, "../..");
/** The compiled plugin entry point (PulumiPlugin.yaml `main`). */
export const PLUGIN_MAIN = join(REPO_ROOT, "dist", "provider", "plugin", "main.js");
/** Pulumi's plugin runner, which the nodejs language host's RunPlugin executes. */
export const RUN_PLUGIN = join(REPO_ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "run-plugin");

/** A property map; {@link Secret} marks are sent as RPC secrets. */
export type PropertyMap = Record<string, unknown>;

/** How to start the plugin. */
export interface StartPluginOptions {
  /**
   * `direct`: `node <target>`; `runPlugin`: `node @pulumi/pulumi/cmd/run-plugin <target>` (what the engine runs).
   * Default `direct`.
   */
  launch?: "direct" | "runPlugin";
  /** The entry file or plugin directory. Default {@link PLUGIN_MAIN}. */
  target?: string;
  /** Arguments after the target, as the engine passes them. Default `["127.0.0.1:1"]` (an engine address). */
  args?: string[];
  /** Environment (credentials, PULUMI_CONFIG). Merged over a copy of `process.env` without Pulumi/platform keys. */
  env?: Record<string, string>;
  /** Working directory (the engine uses the user's project directory). Default the OS temp directory. */
  cwd?: string;
}

/** A provider method failed. */
export class PluginCallError extends Error {
  /**
   * @param message the provider's message
   * @param method the gRPC method
   * @param code the gRPC status code
   * @param initFailure for Create/Update partial failures: the object that exists (ErrorResourceInitFailed)
   */
  constructor(
    message: string,
    readonly method: string,
    readonly code: number,
    readonly initFailure?: { id: string; properties: PropertyMap; reasons: string[] },
  ) {
    super(message);
    this.name = "PluginCallError";
  }
}

/** What Configure answered. */
export interface ConfigureAnswer {
  acceptSecrets: boolean;
  acceptResources: boolean;
  acceptOutputs: boolean;
  supportsPreview: boolean;
}

/** A running plugin process and its client. */
export interface PluginProcess {
  /** The port the plugin printed. */
  readonly port: number;
  /** Everything the plugin printed on stdout (the port line included) and stderr so far. */
  logs(): string;
  getSchema(): Promise<string>;
  getPluginInfo(): Promise<string>;
  /**
   * Configure as the engine sends it: `variables` (the deprecated string map, keys `<pkg>:config:<name>`) and `args`
   * (bare names, {@link Secret} marks sent as RPC secrets).
   */
  configure(variables?: Record<string, string>, args?: PropertyMap): Promise<ConfigureAnswer>;
  /** CheckConfig of a provider's inputs: the inputs to store (secret marks decoded) and the failures. */
  checkConfig(news: PropertyMap): Promise<{ inputs: PropertyMap; failures: { property: string; reason: string }[] }>;
  check(
    urn: string,
    olds: PropertyMap,
    news: PropertyMap,
  ): Promise<{ inputs: PropertyMap; failures: { property: string; reason: string }[] }>;
  diff(
    id: string,
    urn: string,
    olds: PropertyMap,
    news: PropertyMap,
  ): Promise<{ changes: "none" | "some" | "unknown"; replaces: string[]; deleteBeforeReplace: boolean }>;
  create(urn: string, inputs: PropertyMap): Promise<{ id: string; outputs: PropertyMap }>;
  read(
    id: string,
    urn: string,
    props: PropertyMap,
  ): Promise<{ id: string; outputs: PropertyMap; inputs: PropertyMap | undefined }>;
  update(id: string, urn: string, olds: PropertyMap, news: PropertyMap): Promise<{ outputs: PropertyMap }>;
  delete(id: string, urn: string, props: PropertyMap): Promise<void>;
  /** Invoke a provider function: its outputs (secret marks decoded) and its argument failures. */
  invoke(
    token: string,
    args: PropertyMap,
  ): Promise<{ outputs: PropertyMap; failures: { property: string; reason: string }[] }>;
  /** Close the channel and stop the process. */
  close(): Promise<void>;
}

/** A plugin URN: `urn:pulumi:stack::project::platform-credentials:<module>:<Type>::<name>`. */
export function pluginUrn(type: string, name: string): string {
  return `urn:pulumi:stack::project::${type}::${name}`;
}

// Credentials and config of the machine running the tests must not leak into the plugin under test.
const CLEARED_ENV = /^(PULUMI_CONFIG|SCOPE3_|INTERCHANGE_|COMMERCELAYER_|PLATFORM_CREDENTIALS_)/;

/** Spawn the plugin, read the port it prints, and connect a ResourceProvider client. */
export async function startPlugin(opts: StartPluginOptions = {}): Promise<PluginProcess> {
  const proto = loadProviderRpc(join(REPO_ROOT, "node_modules", "@pulumi", "pulumi"));
  const target = opts.target ?? PLUGIN_MAIN;
  const args = opts.args ?? ["127.0.0.1:1"];
  const argv = opts.launch === "runPlugin" ? [RUN_PLUGIN, target, ...args] : [target, ...args];
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !CLEARED_ENV.test(key)),
  );
  const server = await startGrpcServerProcess({
    name: "plugin",
    args: argv,
    cwd: opts.cwd ?? dirname(REPO_ROOT),
    env: { ...env, ...opts.env },
    startTimeoutMs: 30_000,
  });
  const port = server.port;
  const client = new proto.providerGrpc.ResourceProviderClient(
    `127.0.0.1:${port}`,
    proto.grpc.credentials.createInsecure(),
  );

  const toStruct = (props: PropertyMap): StructModule.Struct =>
    valueToStruct(proto, encodeSecretSignatures(props) as PropertyMap);
  const fromStruct = (struct: StructModule.Struct | undefined): PropertyMap =>
    decodeSecretSignatures(struct?.toJavaScript() ?? {}) as PropertyMap;

  function call<Req, Res>(method: string, invoke: UnaryMethod<Req, Res>, req: Req): Promise<Res> {
    return callUnary(proto, client, invoke, req, 60_000, (error) => toCallError(method, error));
  }

  function toCallError(method: string, error: GrpcModule.ServiceError): PluginCallError {
    const failed = resourceInitFailure(proto, error);
    return new PluginCallError(
      error.details || error.message,
      method,
      error.code,
      failed && {
        id: failed.getId(),
        properties: fromStruct(failed.getProperties()),
        reasons: failed.getReasonsList(),
      },
    );
  }

  function identify(
    req: { setUrn(v: string): unknown; setName(v: string): unknown; setType(v: string): unknown },
    urn: string,
  ) {
    const parts = urn.split("::");
    req.setUrn(urn);
    req.setType(parts[2] ?? "");
    req.setName(parts.slice(3).join("::"));
  }

  return {
    port,
    logs: server.logs,
    async getSchema() {
      const req = new proto.provider.GetSchemaRequest();
      const res = await call<ProviderProtoModule.GetSchemaRequest, ProviderProtoModule.GetSchemaResponse>(
        "GetSchema",
        client.getSchema,
        req,
      );
      return res.getSchema();
    },
    async getPluginInfo() {
      const res = await call<EmptyModule.Empty, { getVersion(): string }>(
        "GetPluginInfo",
        client.getPluginInfo,
        new proto.empty.Empty(),
      );
      return res.getVersion();
    },
    async configure(variables = {}, args = {}) {
      const req = new proto.provider.ConfigureRequest();
      for (const [key, value] of Object.entries(variables)) req.getVariablesMap().set(key, value);
      req.setArgs(toStruct(args));
      req.setAcceptsecrets(true);
      req.setAcceptresources(true);
      const res = await call<ProviderProtoModule.ConfigureRequest, ProviderProtoModule.ConfigureResponse>(
        "Configure",
        client.configure,
        req,
      );
      return {
        acceptSecrets: res.getAcceptsecrets(),
        acceptResources: res.getAcceptresources(),
        acceptOutputs: res.getAcceptoutputs(),
        supportsPreview: res.getSupportspreview(),
      };
    },
    async checkConfig(news) {
      const req = new proto.provider.CheckRequest();
      identify(req, "urn:pulumi:stack::project::pulumi:providers:platform-credentials::default");
      req.setOlds(toStruct({}));
      req.setNews(toStruct(news));
      const res = await call<ProviderProtoModule.CheckRequest, ProviderProtoModule.CheckResponse>(
        "CheckConfig",
        client.checkConfig,
        req,
      );
      return {
        inputs: fromStruct(res.getInputs()),
        failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
      };
    },
    async check(urn, olds, news) {
      const req = new proto.provider.CheckRequest();
      identify(req, urn);
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
    async diff(id, urn, olds, news) {
      const req = new proto.provider.DiffRequest();
      req.setId(id);
      identify(req, urn);
      req.setOlds(toStruct(olds));
      req.setNews(toStruct(news));
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
      };
    },
    async create(urn, inputs) {
      const req = new proto.provider.CreateRequest();
      identify(req, urn);
      req.setProperties(toStruct(inputs));
      const res = await call<ProviderProtoModule.CreateRequest, ProviderProtoModule.CreateResponse>(
        "Create",
        client.create,
        req,
      );
      return { id: res.getId(), outputs: fromStruct(res.getProperties()) };
    },
    async read(id, urn, props) {
      const req = new proto.provider.ReadRequest();
      req.setId(id);
      identify(req, urn);
      req.setProperties(toStruct(props));
      const res = await call<ProviderProtoModule.ReadRequest, ProviderProtoModule.ReadResponse>(
        "Read",
        client.read,
        req,
      );
      const inputs = res.getInputs();
      return {
        id: res.getId(),
        outputs: fromStruct(res.getProperties()),
        inputs: inputs ? fromStruct(inputs) : undefined,
      };
    },
    async update(id, urn, olds, news) {
      const req = new proto.provider.UpdateRequest();
      req.setId(id);
      identify(req, urn);
      req.setOlds(toStruct(olds));
      req.setNews(toStruct(news));
      const res = await call<ProviderProtoModule.UpdateRequest, ProviderProtoModule.UpdateResponse>(
        "Update",
        client.update,
        req,
      );
      return { outputs: fromStruct(res.getProperties()) };
    },
    async delete(id, urn, props) {
      const req = new proto.provider.DeleteRequest();
      req.setId(id);
      identify(req, urn);
      req.setProperties(toStruct(props));
      await call("Delete", client.delete, req);
    },
    async invoke(token, args) {
      const req = new proto.provider.InvokeRequest();
      req.setTok(token);
      req.setArgs(toStruct(args));
      const res = await call<ProviderProtoModule.InvokeRequest, ProviderProtoModule.InvokeResponse>(
        "Invoke",
        client.invoke,
        req,
      );
      return {
        outputs: fromStruct(res.getReturn()),
        failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
      };
    },
    async close() {
      client.close();
      await server.stop();
    },
  };
}
