/**
 * Entry point of the provider plugin: `@pulumi/pulumi/provider`'s `main` serves {@link createPluginProvider} over
 * gRPC and prints its port, as the engine expects of a plugin.
 */
import { main } from "@pulumi/pulumi/provider";
import { createPluginProvider } from "./provider";

/** Serve the plugin; `args` are the engine's command-line arguments (the engine address). */
export function servePlugin(args: string[] = process.argv.slice(2)): Promise<void> {
  return main(createPluginProvider(), args);
}

if (require.main === module) {
  void servePlugin();
}
