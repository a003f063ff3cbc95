/**
 * The provider plugin spawned as the engine would spawn it, and a gRPC client that drives it like the engine: secret
 * values go over the wire wrapped (the plugin accepts secrets) and come back decoded into {@link Secret} marks, so
 * a test can see exactly which outputs the plugin kept secret. Loads @grpc/grpc-js and the protobuf messages from
 * @pulumi/pulumi's own dependency tree (as engine/host.ts does) so the message classes match the plugin's.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import type * as GrpcModule from "@grpc/grpc-js";
import type * as StructModule from "google-protobuf/google/protobuf/struct_pb";
import type * as EmptyModule from "google-protobuf/google/protobuf/empty_pb";
import type * as ProviderGrpcModule from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as ProviderProtoModule from "@pulumi/pulumi/proto/provider_pb";
import type * as StatusProtoModule from "@pulumi/pulumi/proto/status_pb";
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
  /** stdout after the port line and stderr. */
  logs(): string;
  getSchema(): Promise<string>;
  getPluginInfo(): Promise<string>;
  configure(variables?: Record<string, string>): Promise<ConfigureAnswer>;
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
  /** Close the channel and stop the process. */
  close(): Promise<void>;
}

/** A plugin URN: `urn:pulumi:stack::project::platform-credentials:<module>:<Type>::<name>`. */
export function pluginUrn(type: string, name: string): string {
  return `urn:pulumi:stack::project::${type}::${name}`;
}

interface Proto {
  grpc: typeof GrpcModule;
  struct: typeof StructModule;
  empty: typeof EmptyModule;
  providerGrpc: typeof ProviderGrpcModule;
  provider: typeof ProviderProtoModule;
  status: typeof StatusProtoModule;
}

function loadProto(): Proto {
  const fromPulumi = createRequire(join(REPO_ROOT, "node_modules", "@pulumi", "pulumi", "package.json"));
  return {
    grpc: fromPulumi("@grpc/grpc-js") as typeof GrpcModule,
    struct: fromPulumi("google-protobuf/google/protobuf/struct_pb") as typeof StructModule,
    empty: fromPulumi("google-protobuf/google/protobuf/empty_pb") as typeof EmptyModule,
    providerGrpc: fromPulumi("./proto/provider_grpc_pb") as typeof ProviderGrpcModule,
    provider: fromPulumi("./proto/provider_pb") as typeof ProviderProtoModule,
    status: fromPulumi("./proto/status_pb") as typeof StatusProtoModule,
  };
}

// Credentials and config of the machine running the tests must not leak into the plugin under test.
const CLEARED_ENV = /^(PULUMI_CONFIG|SCOPE3_|INTERCHANGE_|COMMERCELAYER_|PLATFORM_CREDENTIALS_)/;

/** Spawn the plugin, read the port it prints, and connect a ResourceProvider client. */
export async function startPlugin(opts: StartPluginOptions = {}): Promise<PluginProcess> {
  const proto = loadProto();
  const target = opts.target ?? PLUGIN_MAIN;
  const args = opts.args ?? ["127.0.0.1:1"];
  const argv = opts.launch === "runPlugin" ? [RUN_PLUGIN, target, ...args] : [target, ...args];
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !CLEARED_ENV.test(key)),
  );
  const child = spawn(process.execPath, argv, {
    cwd: opts.cwd ?? dirname(REPO_ROOT),
    env: { ...env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const port = await readPort(
    child,
    () => output,
    (chunk) => (output += chunk),
  );
  const client = new proto.providerGrpc.ResourceProviderClient(
    `127.0.0.1:${port}`,
    proto.grpc.credentials.createInsecure(),
  );

  const toStruct = (props: PropertyMap): StructModule.Struct =>
    proto.struct.Struct.fromJavaScript(encodeSecretSignatures(props) as Record<string, StructModule.JavaScriptValue>);
  const fromStruct = (struct: StructModule.Struct | undefined): PropertyMap =>
    decodeSecretSignatures(struct?.toJavaScript() ?? {}) as PropertyMap;

  function call<Req, Res>(method: string, invoke: unknown, req: Req): Promise<Res> {
    return new Promise((resolveCall, reject) => {
      (
        invoke as (
          r: Req,
          m: GrpcModule.Metadata,
          o: Partial<GrpcModule.CallOptions>,
          cb: (e: GrpcModule.ServiceError | null, res: Res) => void,
        ) => void
      ).call(client, req, new proto.grpc.Metadata(), { deadline: Date.now() + 60_000 }, (error, response) => {
        if (error) reject(toCallError(method, error));
        else resolveCall(response);
      });
    });
  }

  function toCallError(method: string, error: GrpcModule.ServiceError): PluginCallError {
    const [statusBytes] = error.metadata?.get("grpc-status-details-bin") ?? [];
    if (statusBytes instanceof Buffer) {
      const status = proto.status.Status.deserializeBinary(new Uint8Array(statusBytes));
      for (const detail of status.getDetailsList()) {
        if (detail.getTypeName() !== "pulumirpc.ErrorResourceInitFailed") continue;
        const failed = proto.provider.ErrorResourceInitFailed.deserializeBinary(detail.getValue_asU8());
        return new PluginCallError(error.details || error.message, method, error.code, {
          id: failed.getId(),
          properties: fromStruct(failed.getProperties()),
          reasons: failed.getReasonsList(),
        });
      }
    }
    return new PluginCallError(error.details || error.message, method, error.code);
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

  const exited = new Promise<void>((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) resolveExit();
    else child.once("exit", () => resolveExit());
  });

  return {
    port,
    logs: () => output,
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
    async configure(variables = {}) {
      const req = new proto.provider.ConfigureRequest();
      for (const [key, value] of Object.entries(variables)) req.getVariablesMap().set(key, value);
      req.setArgs(proto.struct.Struct.fromJavaScript({}));
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
    async close() {
      client.close();
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The first stdout line must be the port; fails with the plugin's output when it exits or stays silent. */
function readPort(child: ChildProcess, logs: () => string, record: (chunk: string) => void): Promise<number> {
  return new Promise((resolvePort, reject) => {
    let stdout = "";
    let settled = false;
    const finish = (error: Error | undefined, port = 0): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        child.kill("SIGKILL");
        reject(error);
      } else resolvePort(port);
    };
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      if (settled) return record(chunk);
      stdout += chunk;
      const newline = stdout.indexOf("\n");
      if (newline < 0) return;
      const first = stdout.slice(0, newline).trim();
      record(stdout.slice(newline + 1));
      const port = Number(first);
      if (Number.isInteger(port) && port > 0) finish(undefined, port);
      else finish(new Error(`The plugin printed "${first}" instead of its port:\n${logs()}`));
    });
    child.once("exit", (code, signal) =>
      finish(new Error(`The plugin exited (${signal ?? code}) before printing its port:\n${stdout}${logs()}`)),
    );
    child.once("error", (error) => finish(new Error(`Cannot start the plugin: ${error.message}`)));
    const timer = setTimeout(() => finish(new Error(`The plugin printed no port within 30 s:\n${logs()}`)), 30_000);
  });
}
