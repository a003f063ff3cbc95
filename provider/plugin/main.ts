/**
 * Entry point of the provider plugin (PulumiPlugin.yaml `main`, bin/pulumi-resource-platform-credentials): serves
 * {@link createPluginProvider} over gRPC on 127.0.0.1 and prints its port, as the engine expects of a plugin, with
 * Configure and CheckConfig answered by the provider (server.ts says how and why).
 *
 * Starts serving when run directly (`node dist/provider/plugin/main.js [engine address]`) and when loaded by
 * Pulumi's plugin runner (`node @pulumi/pulumi/cmd/run-plugin dist/provider/plugin/main.js <engine address>`);
 * see launch.ts for how the engine gets there. The executable `bin/pulumi-resource-platform-credentials` calls
 * {@link servePlugin} itself.
 */
// First: tunes the plugin process before anything loads undici (why: ../processTuning.ts).
import "../processTuning";
import { serveIfLaunchedAsPlugin } from "./launch";
import { createPluginProvider } from "./provider";
import { serveProvider } from "./server";

/**
 * Serve the plugin. `args` are the engine's arguments (`[--logtostderr] [-v=N] [--tracing X] <engine address>`);
 * under the plugin runner `process.argv` already has the runner's own arguments removed.
 */
export function servePlugin(args: string[] = process.argv.slice(2)): Promise<void> {
  return serveProvider(createPluginProvider(), args);
}

serveIfLaunchedAsPlugin(module);
