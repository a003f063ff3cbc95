/**
 * Plugin-based projects for the end-to-end tests of the provider plugin (test/e2e/plugin*.e2e.test.ts): the fixture
 * program test/plugin/fixtures/pluginProgram.js in a project whose Pulumi.yaml points the engine at the installed
 * package's executable plugin (`plugins.providers` path), so the real CLI starts
 * `pulumi-resource-platform-credentials` itself, without a language host; and the plugin's own stack config for the
 * default provider.
 */
import { join, resolve } from "node:path";
import type * as automation from "@pulumi/pulumi/automation";
import { PACKAGE_NAME } from "../../engine/install";
import type { ProjectStack } from "../../engine/stack";
import { COMMERCE_LAYER_CLIENT_ID, type E2E } from "../e2e/support";

/** The fixture program. */
export const PLUGIN_PROGRAM = resolve(__dirname, "fixtures", "pluginProgram.js");

/** A resource of the fixture program (see pluginProgram.js). */
export interface FixtureResource {
  /** `<module>:<Type>`. */
  type: string;
  name: string;
  props: Record<string, unknown>;
  /** Outputs exported as `<name>.<output>`. */
  outputs?: string[];
  /** The explicit provider's name. */
  provider?: string;
  /** The `import` resource option: the id of an existing object. */
  import?: string;
  ignoreChanges?: string[];
}

/** The `plugins:` section of Pulumi.yaml naming the installed package's `bin/` directory. */
export function pluginsSection(e2e: E2E): string {
  const dir = join(e2e.installed.root, "node_modules", PACKAGE_NAME, "bin");
  return `plugins:\n  providers:\n    - name: platform-credentials\n      path: ${dir}\n`;
}

/** The default provider's settings as stack config (`pulumi config set [--secret] platform-credentials:<name>`). */
export function pluginStackConfig(e2e: E2E): automation.ConfigMap {
  return {
    "platform-credentials:interchangeApiKey": { value: e2e.secrets.interchangeApiKey, secret: true },
    "platform-credentials:interchangeBaseUrl": { value: e2e.emulator.interchangeUrl },
    "platform-credentials:commerceLayerClientId": { value: COMMERCE_LAYER_CLIENT_ID },
    "platform-credentials:commerceLayerClientSecret": { value: e2e.secrets.commerceLayerClientSecret, secret: true },
    "platform-credentials:commerceLayerAuthUrl": { value: e2e.emulator.commerceLayerAuthUrl },
    "platform-credentials:commerceLayerBaseUrl": { value: e2e.emulator.commerceLayerApiUrl },
  };
}

/** The fixture's config for these resources and explicit providers. */
export function fixtureConfig(
  resources: readonly FixtureResource[],
  providers: Record<string, Record<string, unknown>> = {},
): automation.ConfigMap {
  return {
    "fixture:resources": { value: JSON.stringify(resources) },
    "fixture:providers": { value: JSON.stringify(providers) },
  };
}

/** Opens a stack of the fixture program using the plugin, with `config` over the suite's fixture config. */
export function pluginStack(
  e2e: E2E,
  stackName: string,
  config: automation.ConfigMap = pluginStackConfig(e2e),
): Promise<ProjectStack> {
  return e2e.fixtureStack(PLUGIN_PROGRAM, { stackName, pulumiYaml: pluginsSection(e2e), config });
}
