/**
 * Pulumi's gRPC server processes (the dynamic-provider host, a policy pack, a provider plugin) started the way the
 * engine starts them: `node <entry> ...`, the port read from the first thing the server prints on stdout, everything
 * it prints kept for error messages. And the client side every such server shares: the gRPC and protobuf modules from
 * @pulumi/pulumi's own dependency tree (so message classes are the ones the server deserializes), unary calls with a
 * deadline, property maps as protobuf Structs, and the partial-failure detail of a failed Create or Update.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import type * as GrpcModule from "@grpc/grpc-js";
import type * as StructModule from "google-protobuf/google/protobuf/struct_pb";
import type * as EmptyModule from "google-protobuf/google/protobuf/empty_pb";
import type * as AnalyzerGrpcModule from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import type * as AnalyzerProtoModule from "@pulumi/pulumi/proto/analyzer_pb";
import type * as ProviderGrpcModule from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as ProviderProtoModule from "@pulumi/pulumi/proto/provider_pb";
import type * as StatusProtoModule from "@pulumi/pulumi/proto/status_pb";
import { isPlainObject } from "./secrets";

/** Options of {@link startGrpcServerProcess}. */
export interface GrpcServerProcessOptions {
  /** The server as error messages name it, after "The": `dynamic-provider host`, `policy pack`, `plugin`. */
  name: string;
  /** Arguments of `node`, the entry file first. */
  args: readonly string[];
  /** Working directory of the process. */
  cwd: string;
  /** The whole environment of the process (not merged with `process.env`). */
  env: NodeJS.ProcessEnv;
  /** How long to wait for the port, in milliseconds. */
  startTimeoutMs: number;
  /**
   * Which stdout line is the port. `first` (default): the first line, and anything else there fails the start, as the
   * engine reads the dynamic-provider host and plugins. `firstDigitsOnly`: the first line that is only digits, since
   * a policy pack may log before its `PolicyPack` binds.
   */
  portLine?: "first" | "firstDigitsOnly";
}

/** A running gRPC server process whose port has been read. */
export interface GrpcServerProcess {
  /** The server's gRPC port on 127.0.0.1. */
  readonly port: number;
  /** The process id (-1 when the platform gave none). */
  readonly pid: number;
  /** Everything the process printed on stdout (the port line included) and stderr so far. */
  logs(): string;
  /** Sends SIGTERM when the process still runs and resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * Spawns `node ...args` and resolves once it has printed its port. Rejects, with everything the process printed,
 * when it exits first, prints something else where the port belongs, or prints no port within `startTimeoutMs`
 * (the process is killed in each case).
 */
export async function startGrpcServerProcess(opts: GrpcServerProcessOptions): Promise<GrpcServerProcess> {
  const child = spawn(process.execPath, [...opts.args], {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const logs = (): string => output;
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) resolveExit();
    else child.once("exit", () => resolveExit());
  });

  const port = await new Promise<number>((resolvePort, reject) => {
    let stdout = "";
    let settled = false;
    const finish = (error: Error | undefined, found = 0): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.off("exit", onExit);
      child.off("error", onError);
      if (error) {
        child.kill("SIGKILL");
        reject(error);
      } else resolvePort(found);
    };
    const onData = (chunk: string): void => {
      output += chunk;
      if (settled) return;
      stdout += chunk;
      const lines = stdout.split("\n").slice(0, -1);
      if (opts.portLine === "firstDigitsOnly") {
        const line = lines.map((l) => l.trim()).find((l) => /^\d+$/.test(l));
        if (line !== undefined) finish(undefined, Number(line));
        return;
      }
      const [first] = lines;
      if (first === undefined) return;
      const candidate = Number(first.trim());
      if (Number.isInteger(candidate) && candidate > 0) finish(undefined, candidate);
      else finish(new Error(`The ${opts.name} printed "${first.trim()}" instead of its port:\n${logs()}`));
    };
    const onExit = (code: number | null, signal: string | null): void =>
      finish(new Error(`The ${opts.name} exited (${signal ?? code}) before printing its port:\n${logs()}`));
    const onError = (error: Error): void => finish(new Error(`Cannot start the ${opts.name}: ${error.message}`));
    const timer = setTimeout(
      () => finish(new Error(`The ${opts.name} printed no port within ${opts.startTimeoutMs} ms:\n${logs()}`)),
      opts.startTimeoutMs,
    );
    child.stdout.on("data", onData);
    child.once("exit", onExit);
    child.once("error", onError);
  });

  return {
    port,
    pid: child.pid ?? -1,
    logs,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The gRPC runtime and the protobuf well-known types every Pulumi RPC client needs. */
export interface PulumiRpcRuntime {
  /** `@grpc/grpc-js`. */
  grpc: typeof GrpcModule;
  /** `google.protobuf.Struct` and friends. */
  struct: typeof StructModule;
  /** `google.protobuf.Empty`. */
  empty: typeof EmptyModule;
}

/** {@link PulumiRpcRuntime} plus the ResourceProvider service and messages, and `google.rpc.Status`. */
export interface ProviderRpcModules extends PulumiRpcRuntime {
  /** The ResourceProvider client. */
  providerGrpc: typeof ProviderGrpcModule;
  /** The ResourceProvider messages. */
  provider: typeof ProviderProtoModule;
  /** `google.rpc.Status`, which carries a partial failure's details. */
  status: typeof StatusProtoModule;
}

/** {@link PulumiRpcRuntime} plus the Analyzer service and messages. */
export interface AnalyzerRpcModules extends PulumiRpcRuntime {
  /** The Analyzer client. */
  analyzerGrpc: typeof AnalyzerGrpcModule;
  /** The Analyzer messages. */
  analyzer: typeof AnalyzerProtoModule;
}

function loadRuntime(fromPulumi: NodeJS.Require): PulumiRpcRuntime {
  return {
    grpc: fromPulumi("@grpc/grpc-js") as typeof GrpcModule,
    struct: fromPulumi("google-protobuf/google/protobuf/struct_pb") as typeof StructModule,
    empty: fromPulumi("google-protobuf/google/protobuf/empty_pb") as typeof EmptyModule,
  };
}

/** The ResourceProvider client modules from the @pulumi/pulumi installed in `pulumiDir`. */
export function loadProviderRpc(pulumiDir: string): ProviderRpcModules {
  const fromPulumi = createRequire(join(pulumiDir, "package.json"));
  return {
    ...loadRuntime(fromPulumi),
    providerGrpc: fromPulumi("./proto/provider_grpc_pb") as typeof ProviderGrpcModule,
    provider: fromPulumi("./proto/provider_pb") as typeof ProviderProtoModule,
    status: fromPulumi("./proto/status_pb") as typeof StatusProtoModule,
  };
}

/** The Analyzer client modules from the @pulumi/pulumi installed in `pulumiDir`. */
export function loadAnalyzerRpc(pulumiDir: string): AnalyzerRpcModules {
  const fromPulumi = createRequire(join(pulumiDir, "package.json"));
  return {
    ...loadRuntime(fromPulumi),
    analyzerGrpc: fromPulumi("./proto/analyzer_grpc_pb") as typeof AnalyzerGrpcModule,
    analyzer: fromPulumi("./proto/analyzer_pb") as typeof AnalyzerProtoModule,
  };
}

/** A generated client's unary method in its full form (request, metadata, options, callback). */
export type UnaryMethod<Req, Res> = (
  req: Req,
  metadata: GrpcModule.Metadata,
  options: Partial<GrpcModule.CallOptions>,
  callback: (error: GrpcModule.ServiceError | null, response: Res) => void,
) => unknown;

/**
 * Calls `invoke` (a method of `client`, such as `client.check`) with a deadline `timeoutMs` from now; a gRPC failure
 * rejects with what `toError` makes of it.
 */
export function callUnary<Req, Res>(
  rpc: PulumiRpcRuntime,
  client: GrpcModule.Client,
  invoke: UnaryMethod<Req, Res>,
  req: Req,
  timeoutMs: number,
  toError: (error: GrpcModule.ServiceError) => Error,
): Promise<Res> {
  return new Promise((resolveCall, reject) => {
    invoke.call(client, req, new rpc.grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (error, response) => {
      if (error) reject(toError(error));
      else resolveCall(response);
    });
  });
}

/**
 * `value` as a protobuf `Struct`. `Struct` has no undefined: such fields are dropped and such array items become
 * null, as JSON would. Secret marks must already be revealed or encoded (`reveal`, `encodeSecretSignatures`).
 */
export function toStruct(rpc: PulumiRpcRuntime, value: Record<string, unknown>): StructModule.Struct {
  return rpc.struct.Struct.fromJavaScript(dropUndefined(value) as Record<string, StructModule.JavaScriptValue>);
}

/**
 * The `ErrorResourceInitFailed` detail of a failed Create or Update (the object exists but did not become healthy),
 * or undefined when the failure carries none.
 */
export function resourceInitFailure(
  rpc: ProviderRpcModules,
  error: GrpcModule.ServiceError,
): ProviderProtoModule.ErrorResourceInitFailed | undefined {
  const [statusBytes] = error.metadata?.get("grpc-status-details-bin") ?? [];
  if (!(statusBytes instanceof Buffer)) return undefined;
  const status = rpc.status.Status.deserializeBinary(new Uint8Array(statusBytes));
  const detail = status.getDetailsList().find((d) => d.getTypeName() === "pulumirpc.ErrorResourceInitFailed");
  return detail && rpc.provider.ErrorResourceInitFailed.deserializeBinary(detail.getValue_asU8());
}

function dropUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : dropUndefined(item)));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== undefined) out[key] = dropUndefined(item);
  }
  return out;
}
