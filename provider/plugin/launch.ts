/**
 * How the provider plugin gets started, by hand or by the Pulumi engine. Kept free of imports so that a module may
 * call {@link serveIfLaunchedAsPlugin} at load time without loading the provider until it is really launched.
 *
 * How the engine launches a `runtime: nodejs` plugin (pulumi `sdk/go/common/resource/plugin/plugin.go` `execPlugin`
 * and `sdk/nodejs/cmd/pulumi-language-nodejs` `RunPlugin`, read for this package; the nodejs language host cannot be
 * built on this project's machines, so the end-to-end tests start the executable bin/pulumi-resource-platform-credentials
 * instead, which calls `servePlugin` itself):
 * - The engine finds no `pulumi-resource-<name>` binary in the plugin directory, reads `PulumiPlugin.yaml` and asks
 *   the nodejs language host to `RunPlugin` with `ProgramDirectory` = the plugin directory (absolute) and cwd = the
 *   user's project directory.
 * - The language host runs `node <resolved @pulumi/pulumi/cmd/run-plugin> [nodeargs] <ProgramDirectory> <args>` with
 *   `args` = `[--logtostderr] [-v=N] [--tracing <endpoint>] <engine address>` and the engine's environment.
 * - `cmd/run-plugin` parses its arguments with minimist, `require`s the program (a directory resolves through its
 *   package.json `main`; a file path is required as is), sets `process.argv = [node, run-plugin, ...rest]`, and
 *   calls the export when it is a function. `require.main` is run-plugin's `index.js`, not the program, so a
 *   `require.main === module` check never fires there. Because minimist reads `--logtostderr <address>` as a flag
 *   with a value, the engine address can be missing from `process.argv`; `@pulumi/pulumi/provider`'s `main` only
 *   needs it for Construct/Call, which this provider does not implement.
 * - The plugin prints its gRPC port on the first stdout line and keeps serving until the engine kills it.
 * - `PulumiPlugin.yaml`'s `main` ("path to the plugin's entry point, relative to the manifest" in the docs) is not a
 *   field of the engine's `PluginProject` in the sources read (runtime, packages, requiredPulumiVersion, template):
 *   engines that ignore it pass the directory, whose package.json `main` is the TypeScript SDK. That module must
 *   therefore call {@link serveIfLaunchedAsPlugin} too (see docs/plugin.md).
 */

const RUN_PLUGIN_LOADER = /[\\/]@pulumi[\\/]pulumi[\\/]cmd[\\/]run-plugin[\\/]run\.js$/;

/**
 * Whether `mod` is the program Pulumi's plugin runner (`@pulumi/pulumi/cmd/run-plugin`) was asked to run, as opposed
 * to a module some other program imported. The runner `require`s the program from its `run.js`, so that file is the
 * module's parent; a user program or another plugin importing this package has its own module as the parent.
 */
export function launchedByPluginRunner(mod: NodeModule): boolean {
  // `module.parent` is documentation-deprecated (DEP0144) but is the only record of who loaded a module first.
  const parent = (mod as { parent?: NodeModule | null }).parent;
  return !!parent && RUN_PLUGIN_LOADER.test(parent.filename);
}

/**
 * Start serving the provider plugin when `mod` was launched as the plugin: run directly with node
 * (`node dist/provider/plugin/main.js`) or loaded by the plugin runner. Returns whether it started.
 */
export function serveIfLaunchedAsPlugin(mod: NodeModule): boolean {
  if (require.main !== mod && !launchedByPluginRunner(mod)) return false;
  // Loaded only now: importing the SDK must not load the provider, the definitions or gRPC.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { servePlugin } = require("./main") as typeof import("./main");
  void servePlugin();
  return true;
}
