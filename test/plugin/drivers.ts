/**
 * The two paths of the shared lifecycle table (test/support/lifecycleTable.ts): Pulumi's real dynamic-provider host
 * with the package's serialized shims, and the provider plugin. Both are configured with the same emulator
 * credentials, each the way its engine would: the dynamic host through Configure's stack config, the plugin through
 * `PULUMI_CONFIG` and environment variables.
 */
import { startDynamicProviderHost, urn, type DynamicProviderHost } from "../../engine/host";
import type { PulumiProject } from "../../engine/project";
import { Secret } from "../../engine/secrets";
import type { RunningEmulator } from "../../emulator/server";
import { EMULATOR_INTERCHANGE_KEYS } from "../../emulator/seed";
import type { LifecycleDriver, PropertyMap } from "../support/lifecycleTable";
import { pluginUrn, startPlugin, type PluginProcess } from "./pluginClient";

// The registry loads definitions with a run-time `require`, which vitest does not transform: use the build.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { definitionFor } = require("../../dist/provider/definitions") as typeof import("../../provider/definitions");

/** The Commerce Layer provisioning client of the emulator's default seed. */
export const EMULATOR_CL_CLIENT = { id: "cl-emulator-client", secret: "cl-emulator-secret" } as const;

/** Stack config pointing every platform at the emulator (no retries, so faults show at once). */
export function emulatorStackConfig(emulator: RunningEmulator): Record<string, string | Secret<string>> {
  return {
    "interchange:apiKey": new Secret(EMULATOR_INTERCHANGE_KEYS.acme),
    "interchange:baseUrl": emulator.interchangeUrl,
    "commercelayer:clientId": EMULATOR_CL_CLIENT.id,
    "commercelayer:clientSecret": new Secret(EMULATOR_CL_CLIENT.secret),
    "commercelayer:authUrl": emulator.commerceLayerAuthUrl,
    "commercelayer:baseUrl": emulator.commerceLayerApiUrl,
    "platform-credentials:httpMaxRetries": "0",
  };
}

/** A started path: its driver and how to stop it. */
export interface StartedPath {
  driver: LifecycleDriver;
  close(): Promise<void>;
}

const withoutProvider = (props: PropertyMap): PropertyMap => {
  const { __provider: _provider, ...rest } = props;
  return rest;
};

/** The dynamic path: the real host, `__provider` from a program run, the engine's secret marking mirrored. */
export async function startDynamicPath(
  project: PulumiProject,
  providerTexts: Record<string, string>,
  emulator: RunningEmulator,
): Promise<StartedPath> {
  const host: DynamicProviderHost = await startDynamicProviderHost(project);
  await host.configure(emulatorStackConfig(emulator));
  const typeOf = (kind: string): string => {
    const def = definitionFor(kind);
    return `pulumi-nodejs:dynamic/${def.token.module}:${def.token.type}`;
  };
  const textOf = (kind: string): string => {
    const text = providerTexts[kind];
    if (!text) throw new Error(`no serialized provider for ${kind}`);
    return text;
  };
  const withText = (kind: string, props: PropertyMap): PropertyMap => ({ ...props, __provider: textOf(kind) });
  // The host stores `__provider` in every resource's outputs; the table sees outputs without it.
  const full = withText;
  const remember = withoutProvider;
  return {
    driver: {
      async check(kind, name, news) {
        const res = await host.check(urn(typeOf(kind), name), {}, withText(kind, news));
        return { inputs: res.inputs, failures: res.failures };
      },
      async diff(kind, name, id, olds, news) {
        const res = await host.diff(id, urn(typeOf(kind), name), full(kind, olds), news);
        return { changes: res.changes, replaces: res.replaces, deleteBeforeReplace: res.deleteBeforeReplace };
      },
      async create(kind, name, inputs) {
        const res = await host.create(urn(typeOf(kind), name), inputs);
        return { id: res.id, outputs: remember(res.outputs) };
      },
      async read(kind, name, id, outputs, inputs) {
        const res = await host.read(id, urn(typeOf(kind), name), full(kind, outputs), inputs);
        return { id: res.id, outputs: res.id ? remember(res.outputs) : {} };
      },
      async update(kind, name, id, olds, news) {
        const res = await host.update(id, urn(typeOf(kind), name), full(kind, olds), news);
        return { outputs: remember(res.outputs) };
      },
      async delete(kind, name, id, outputs) {
        await host.delete(id, urn(typeOf(kind), name), full(kind, outputs));
      },
    },
    close: () => host.close(),
  };
}

/**
 * The plugin path: the plugin launched through Pulumi's plugin runner, Interchange settings in Configure (as the
 * engine passes a default provider's stack config, in both the `variables` and the `args` form) and Commerce Layer
 * settings in environment variables.
 */
export async function startPluginPath(emulator: RunningEmulator): Promise<StartedPath & { plugin: PluginProcess }> {
  const plugin = await startPlugin({
    launch: "runPlugin",
    env: {
      COMMERCELAYER_CLIENT_ID: EMULATOR_CL_CLIENT.id,
      COMMERCELAYER_CLIENT_SECRET: EMULATOR_CL_CLIENT.secret,
      COMMERCELAYER_AUTH_URL: emulator.commerceLayerAuthUrl,
      COMMERCELAYER_BASE_URL: emulator.commerceLayerApiUrl,
    },
  });
  await plugin.configure(
    { "platform-credentials:config:interchangeBaseUrl": emulator.interchangeUrl },
    { interchangeApiKey: new Secret(EMULATOR_INTERCHANGE_KEYS.acme), httpMaxRetries: "0" },
  );
  const typeOf = (kind: string): string => {
    const def = definitionFor(kind);
    return `platform-credentials:${def.token.module}:${def.token.type}`;
  };
  return {
    plugin,
    driver: {
      check: (kind, name, news) => plugin.check(pluginUrn(typeOf(kind), name), {}, news),
      diff: (kind, name, id, olds, news) => plugin.diff(id, pluginUrn(typeOf(kind), name), olds, news),
      create: (kind, name, inputs) => plugin.create(pluginUrn(typeOf(kind), name), inputs),
      async read(kind, name, id, outputs) {
        const res = await plugin.read(id, pluginUrn(typeOf(kind), name), outputs);
        return { id: res.id, outputs: res.outputs };
      },
      update: (kind, name, id, olds, news) => plugin.update(id, pluginUrn(typeOf(kind), name), olds, news),
      delete: (kind, name, id, outputs) => plugin.delete(id, pluginUrn(typeOf(kind), name), outputs),
    },
    close: () => plugin.close(),
  };
}
