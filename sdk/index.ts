/**
 * pulumi-platform-credentials: SaaS API credentials as Pulumi resources.
 *
 * - {@link interchange}: Scope3 Interchange storefront source credentials and data-delivery credentials.
 * - {@link commercelayer}: Commerce Layer API credentials.
 * - {@link policies}: policies for `@pulumi/policy` packs that check these resources.
 *
 * Configure the platforms with stack config (`interchange:apiKey`, `commercelayer:clientId`, ...) or environment
 * variables; see the README.
 */
export * as interchange from "./interchange";
export * as commercelayer from "./commercelayer";

// When Pulumi's plugin runner loads this package directory as the provider plugin (PulumiPlugin.yaml, engines that
// ignore its `main`), serve the plugin; a program importing the SDK is unaffected (provider/plugin/launch.ts).
// eslint-disable-next-line @typescript-eslint/no-require-imports
require("../provider/plugin/launch").serveIfLaunchedAsPlugin(module);
