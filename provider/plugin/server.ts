/**
 * Serving the provider plugin: `@pulumi/pulumi/provider`'s `main`, with the provider-configuration RPCs
 * (`CheckConfig`, `Configure`) answered by this package.
 *
 * Why: `main` registers an unexported `Server` (node_modules/@pulumi/pulumi/provider/server.js) whose `configure`
 * ignores the request (it answers acceptSecrets/acceptResources/acceptOutputs only) and whose `checkConfig` is
 * UNIMPLEMENTED, so without this the stack config and an explicit provider's arguments never reach the plugin.
 *
 * Two ways were weighed. (1) Serve `ResourceProviderService` ourselves with @pulumi/pulumi/proto's generated code:
 * full control, but it re-implements what `Server` does for every other RPC — the Struct conversions of Check, Diff,
 * Create, Read, Update and Delete, the `ErrorResourceInitFailed` details of partial failures, the uncaught-error
 * handling, GetSchema, GetPluginInfo, Attach, Cancel, Parameterize, Construct/Call — and keeping that in step with
 * Pulumi's releases. (2) Keep `main` and its `Server`, and replace only the configuration handlers of the
 * implementation it registers, by intercepting `addService` on the very `@grpc/grpc-js` instance `@pulumi/pulumi`
 * loads. Chosen: (2). What it relies on is small and checked: `main` calls `server.addService(
 * ResourceProviderService, impl)` synchronously before it binds the port (asserted here: if it ever stops, the plugin
 * refuses to start rather than ignore its configuration), and the handler names are the gRPC method names of
 * provider.proto (`configure`, `checkConfig`), a protocol contract rather than SDK internals. The interception is
 * installed for the one `main` call and removed right after.
 *
 * `DiffConfig` stays UNIMPLEMENTED on purpose: the engine then answers "unknown, no replacement"
 * (pkg/resource/plugin/provider_plugin.go), so changing a key or a URL updates the provider in place and never
 * replaces the resources it manages.
 */
import { createRequire } from "node:module";
import type * as GrpcModule from "@grpc/grpc-js";
import type * as ProviderGrpcModule from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as ProviderProtoModule from "@pulumi/pulumi/proto/provider_pb";
import type * as StructModule from "google-protobuf/google/protobuf/struct_pb";
import { main, type Provider } from "@pulumi/pulumi/provider";
import { BugError } from "../resource";
import { pluginConfigFromRequest, type ConfigFailure, type PluginConfig } from "./config";

/** A provider that also takes its configuration (what `Provider` of @pulumi/pulumi/provider cannot). */
export interface ConfigurableProvider extends Provider {
  /** CheckConfig: the inputs to store for the provider resource (secret settings wrapped) and every failure. */
  checkConfig(news: Record<string, unknown>): { inputs: Record<string, unknown>; failures: ConfigFailure[] };
  /** Configure: the settings of this provider instance (one plugin process per instance). Throws when malformed. */
  configure(config: PluginConfig): void;
}

// The modules `main` itself uses: @pulumi/pulumi's own grpc-js, generated code and google-protobuf.
const fromPulumi = createRequire(require.resolve("@pulumi/pulumi/package.json"));
const grpc = fromPulumi("@grpc/grpc-js") as typeof GrpcModule;
const providerGrpc = fromPulumi("./proto/provider_grpc_pb") as typeof ProviderGrpcModule;
const providerProto = fromPulumi("./proto/provider_pb") as typeof ProviderProtoModule;
const struct = fromPulumi("google-protobuf/google/protobuf/struct_pb") as typeof StructModule;

type UnaryCall<Req> = GrpcModule.ServerUnaryCall<Req, unknown>;
type Callback<Res> = (error: Partial<GrpcModule.StatusObject> | null, value?: Res) => void;

function failed(err: unknown): Partial<GrpcModule.StatusObject> {
  return { code: grpc.status.INVALID_ARGUMENT, details: err instanceof Error ? err.message : String(err) };
}

/** The configuration handlers, to lay over the implementation `main` registers. */
function configurationHandlers(provider: ConfigurableProvider) {
  return {
    configure(call: UnaryCall<ProviderProtoModule.ConfigureRequest>, callback: Callback<unknown>): void {
      try {
        const req = call.request;
        const variables = new Map(req.getVariablesMap().toArray());
        const args = req.getArgs()?.toJavaScript() as Record<string, unknown> | undefined;
        provider.configure(pluginConfigFromRequest(variables, args));
        // What `Server.configure` answers: secrets arrive wrapped, resources and outputs as references and output
        // values; no preview support, so the engine never calls Create or Update during a preview.
        const resp = new providerProto.ConfigureResponse();
        resp.setAcceptsecrets(true);
        resp.setAcceptresources(true);
        resp.setAcceptoutputs(true);
        callback(null, resp);
      } catch (err) {
        callback(failed(err));
      }
    },
    checkConfig(call: UnaryCall<ProviderProtoModule.CheckRequest>, callback: Callback<unknown>): void {
      try {
        const news = (call.request.getNews()?.toJavaScript() ?? {}) as Record<string, unknown>;
        const { inputs, failures } = provider.checkConfig(news);
        const resp = new providerProto.CheckResponse();
        resp.setInputs(struct.Struct.fromJavaScript(inputs as Record<string, StructModule.JavaScriptValue>));
        resp.setFailuresList(
          failures.map((f) => new providerProto.CheckFailure().setProperty(f.property).setReason(f.reason)),
        );
        callback(null, resp);
      } catch (err) {
        callback(failed(err));
      }
    },
  };
}

let serving: Promise<void> | undefined;

/**
 * Serve `provider` over gRPC on 127.0.0.1 and print the port (`main` of @pulumi/pulumi/provider), with Configure and
 * CheckConfig answered by the provider. `args`: the engine's arguments. A second call returns the first's promise.
 */
export function serveProvider(provider: ConfigurableProvider, args: string[]): Promise<void> {
  if (serving) return serving;
  const addService = grpc.Server.prototype.addService;
  let registered = false;
  grpc.Server.prototype.addService = function (service, implementation) {
    if (service === providerGrpc.ResourceProviderService) {
      registered = true;
      // The other handlers stay `Server`'s, bound to this object, whose prototype is the registered `Server`.
      const layered = Object.assign(Object.create(implementation) as object, configurationHandlers(provider));
      return addService.call(this, service, layered as GrpcModule.UntypedServiceImplementation);
    }
    return addService.call(this, service, implementation);
  };
  try {
    serving = main(provider, args);
  } finally {
    grpc.Server.prototype.addService = addService;
  }
  if (!registered) {
    throw new BugError(
      "@pulumi/pulumi/provider's main did not register ResourceProviderService through addService before binding, " +
        "so the plugin could not take its configuration; refusing to serve without it",
    );
  }
  return serving;
}
