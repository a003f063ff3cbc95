/**
 * Entry point of the provider plugin (PulumiPlugin.yaml `main`): `@pulumi/pulumi/provider`'s `main` serves
 * {@link createPluginProvider} over gRPC on 127.0.0.1 and prints its port, as the engine expects of a plugin.
 *
 * Starts serving when run directly (`node dist/provider/plugin/main.js [engine address]`) and when loaded by
 * Pulumi's plugin runner (`node @pulumi/pulumi/cmd/run-plugin dist/provider/plugin/main.js <engine address>`);
 * see launch.ts for how the engine gets there.
 */
import { main } from "@pulumi/pulumi/provider";
import { serveIfLaunchedAsPlugin } from "./launch";
import { createPluginProvider } from "./provider";

/**
 * Serve the plugin. `args` are the engine's arguments (`[--logtostderr] [-v=N] [--tracing X] <engine address>`);
 * under the plugin runner `process.argv` already has the runner's own arguments removed.
 */
export function servePlugin(args: string[] = process.argv.slice(2)): Promise<void> {
  return main(createPluginProvider(), args);
}

serveIfLaunchedAsPlugin(module);
