/**
 * Support for the end-to-end layer: the real `pulumi` CLI and engine (engine/cli.ts builds or finds it), the package
 * installed from its packed tarball with the shipped examples (engine/install.ts), and one emulator per suite seeded
 * with freshly generated credentials, so a search for them in anything the engine wrote can only find a real leak.
 */
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import type * as automation from "@pulumi/pulumi/automation";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { generatedPrivateKey } from "../http/support";
import { defaultSeed } from "../../emulator/seed";
import { copyProject, installPackage, type InstalledPackage } from "../../engine/install";
import { PulumiSession } from "../../engine/session";
import { ProjectStack, StackCommandError, type CommandOutcome } from "../../engine/stack";

/** Credentials generated for one suite; every one is a secret that must never appear in plain text. */
/** A data-delivery credential as the emulator stores it (`GET /_emulator/state`). */
export interface StoredDataDeliveryCredential {
  credentialId: string;
  name: string;
  status: string;
  validatedAt?: string;
  config: Record<string, unknown>;
}

export interface SuiteSecrets {
  /** The acme customer's Interchange API key (`scope3_acme_<hex>`). */
  readonly interchangeApiKey: string;
  /** A second customer's key (globex), for several-account tests. */
  readonly globexApiKey: string;
  /** The Commerce Layer provisioning client secret. */
  readonly commerceLayerClientSecret: string;
  /** The API key the display source issued for the buyer's account. */
  readonly displayApiKey: string;
  /** The JWT service account's private key (PEM-shaped, several lines). */
  readonly retailPrivateKey: string;
  /** The Azure SAS token (expires 2030). */
  readonly azureSasToken: string;
}

/** The Commerce Layer provisioning client id of the seeded user. */
export const COMMERCE_LAYER_CLIENT_ID = "cl-e2e-client";

/** One suite's world: CLI session, installed package, emulator, and every text the engine produced. */
export interface E2E {
  readonly session: PulumiSession;
  readonly installed: InstalledPackage;
  readonly emulator: RunningEmulator;
  readonly secrets: SuiteSecrets;
  /** Opens a stack of a shipped example with the suite's endpoints and secrets set as stack config. */
  exampleStack(example: string, opts?: { stackName?: string; config?: automation.ConfigMap }): Promise<ProjectStack>;
  /**
   * Opens a stack of a test fixture program (a compiled CommonJS file) in its own project directory beside the
   * install, with the suite's provider endpoints and credentials as stack config. `pulumiYaml`: lines appended to
   * its Pulumi.yaml (e.g. a `plugins:` section).
   */
  fixtureStack(
    program: string,
    opts?: { stackName?: string; config?: automation.ConfigMap; pulumiYaml?: string },
  ): Promise<ProjectStack>;
  /** Calls an administration route of the emulator (`path` relative to `/_emulator`). */
  admin(method: string, path: string, body?: unknown): Promise<unknown>;
  /** The data-delivery credentials the emulator holds for an advertiser (none when it has no such advertiser). */
  storedDataDelivery(advertiserId: string): Promise<StoredDataDeliveryCredential[]>;
  /** API request counts since the last {@link clearRequests}, keyed `"METHOD /template"`. */
  requests(): Record<string, number>;
  clearRequests(): void;
  /** Runs a command and records its output and events for {@link expectNoPlaintextSecretsInRecord}. */
  record<R>(command: Promise<CommandOutcome<R>>): Promise<CommandOutcome<R>>;
  /** Like {@link record} for a command that must fail: resolves to its error. */
  recordFailure(command: Promise<unknown>): Promise<StackCommandError>;
  /**
   * Every text recorded so far: CLI stdout/stderr and the engine events as JSON, except the Node SDK's own
   * `RegisterResource RPC finished` debug events, kept apart in {@link sdkDebug} (see {@link isSdkDebug}).
   */
  readonly recorded: string[];
  /** The Node SDK's RPC debug events of every recorded command, as JSON. */
  readonly sdkDebug: string[];
}

/**
 * Sets up the suite's world in `beforeAll` (finding or building the CLI may take minutes the first time on a
 * machine) and tears it down in `afterAll`.
 */
export function useE2E(): E2E {
  const world: Partial<E2E> & { recorded: string[]; sdkDebug: string[]; stacks: ProjectStack[] } = {
    recorded: [],
    sdkDebug: [],
    stacks: [],
  };
  beforeAll(async () => {
    const secrets: SuiteSecrets = {
      interchangeApiKey: `scope3_acme_${hex(12)}`,
      globexApiKey: `scope3_globex_${hex(12)}`,
      commerceLayerClientSecret: `cls-${hex(16)}`,
      displayApiKey: `display-${hex(16)}`,
      retailPrivateKey: generatedPrivateKey(),
      azureSasToken: `sv=2022-11-02&sr=c&sp=cwd&se=2030-01-01T00:00:00Z&sig=${hex(20)}`,
    };
    const session = await PulumiSession.create();
    const installed = await installPackage();
    const seed = structuredClone(defaultSeed);
    seed.interchange!.apiKeys.push(
      { key: secrets.interchangeApiKey, customer: "acme", user: "platform-team@acme.example" },
      { key: secrets.globexApiKey, customer: "globex", user: "ops@globex.example" },
    );
    const user = seed.commercelayer!.users[0]!;
    seed.commercelayer!.users.push({
      ...user,
      id: "E2eUser001",
      clientId: COMMERCE_LAYER_CLIENT_ID,
      clientSecret: secrets.commerceLayerClientSecret,
    });
    const emulator = await startEmulator({ port: 0, seed });
    Object.assign(world, { session, installed, emulator, secrets });
  }, 40 * 60_000);
  afterAll(async () => {
    await Promise.all(world.stacks.map((s) => s.close()));
    await world.emulator?.close();
    await world.session?.close();
  });

  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${world.emulator!.adminUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} /_emulator${path} → ${response.status} ${text}`);
    return text === "" ? undefined : (JSON.parse(text) as unknown);
  };

  const storedDataDelivery = async (advertiserId: string) => {
    const state = (await admin("GET", "/state")) as {
      interchange: { advertisers: { id: string; credentials: StoredDataDeliveryCredential[] }[] };
    };
    return state.interchange.advertisers.find((a) => a.id === advertiserId)?.credentials ?? [];
  };

  const record = async <R>(command: Promise<CommandOutcome<R>>) => {
    try {
      const outcome = await command;
      const result = outcome.result as { stdout?: string; stderr?: string };
      world.recorded.push(result.stdout ?? "", result.stderr ?? "", JSON.stringify(withoutSdkDebug(outcome.events)));
      world.sdkDebug.push(JSON.stringify(outcome.events.filter(isSdkDebug)));
      return outcome;
    } catch (error) {
      if (error instanceof StackCommandError) {
        world.recorded.push(error.message, error.stdout, error.stderr, JSON.stringify(withoutSdkDebug(error.events)));
        world.sdkDebug.push(JSON.stringify(error.events.filter(isSdkDebug)));
      }
      throw error;
    }
  };

  return {
    get session() {
      return world.session!;
    },
    get installed() {
      return world.installed!;
    },
    get emulator() {
      return world.emulator!;
    },
    get secrets() {
      return world.secrets!;
    },
    recorded: world.recorded,
    sdkDebug: world.sdkDebug,
    admin,
    storedDataDelivery,
    requests: () => world.emulator!.requestCounts(),
    clearRequests: () => world.emulator!.clearRequestCounts(),
    record,
    async recordFailure(command: Promise<unknown>) {
      try {
        await record(command as Promise<CommandOutcome<unknown>>);
      } catch (error) {
        if (error instanceof StackCommandError) return error;
        throw error;
      }
      throw new Error("the command was expected to fail, and it succeeded");
    },
    async fixtureStack(program, opts = {}) {
      const stackName = opts.stackName ?? "dev";
      const projectDir = join(world.session!.dir, "fixtures", `${basename(program, ".js")}-${stackName}`);
      mkdirSync(projectDir, { recursive: true });
      writeFileSync(join(projectDir, "Pulumi.yaml"), `name: fixture\nruntime: nodejs\n${opts.pulumiYaml ?? ""}`);
      writeFileSync(join(projectDir, "package.json"), JSON.stringify({ name: "fixture", private: true }));
      copyFileSync(program, join(projectDir, "index.js"));
      symlinkSync(join(world.installed!.root, "node_modules"), join(projectDir, "node_modules"));
      const stack = await ProjectStack.open(world.session!, { projectDir, stackName });
      world.stacks.push(stack);
      await stack.setConfig({ ...endpointConfig(world.emulator!, world.secrets!), ...opts.config });
      return stack;
    },
    async exampleStack(example, opts = {}) {
      const stackName = opts.stackName ?? "dev";
      const projectDir = copyProject(
        world.installed!,
        world.installed!.example(example),
        join(world.session!.dir, "projects", `${example}-${stackName}`),
      );
      const stack = await ProjectStack.open(world.session!, {
        projectDir,
        ...(opts.stackName === undefined ? {} : { stackName: opts.stackName }),
      });
      world.stacks.push(stack);
      await stack.setConfig({ ...configFor(example, endpointConfig(world.emulator!, world.secrets!)), ...opts.config });
      return stack;
    },
  };
}

/**
 * What a user sets with `pulumi config set` to point the examples at this emulator, secrets with `--secret`:
 * the provider endpoints and credentials, and each example's own secret inputs.
 */
export function endpointConfig(emulator: RunningEmulator, secrets: SuiteSecrets): automation.ConfigMap {
  return {
    "interchange:baseUrl": { value: emulator.interchangeUrl },
    "interchange:apiKey": { value: secrets.interchangeApiKey, secret: true },
    "commercelayer:baseUrl": { value: emulator.commerceLayerApiUrl },
    "commercelayer:authUrl": { value: emulator.commerceLayerAuthUrl },
    "commercelayer:clientId": { value: COMMERCE_LAYER_CLIENT_ID },
    "commercelayer:clientSecret": { value: secrets.commerceLayerClientSecret, secret: true },
    "storefront-credentials:displayApiKey": { value: secrets.displayApiKey, secret: true },
    "storefront-credentials:retailPrivateKey": { value: secrets.retailPrivateKey, secret: true },
    "data-delivery:azureSasToken": { value: secrets.azureSasToken, secret: true },
  };
}

/** Stack config of the shipped examples that is not theirs to read: config set-all would still accept it. */
export function configFor(example: string, config: automation.ConfigMap): automation.ConfigMap {
  const providers: Record<string, string[]> = {
    "storefront-credentials": ["interchange:"],
    "data-delivery": ["interchange:"],
    commercelayer: ["commercelayer:"],
  };
  const own = providers[example] ?? [];
  return Object.fromEntries(
    Object.entries(config).filter(
      ([key]) => own.some((prefix) => key.startsWith(prefix)) || key.startsWith(`${example}:`),
    ),
  );
}

/** Every secret of the suite: what a search for leaks looks for. */
export function secretValues(secrets: SuiteSecrets): string[] {
  return Object.values(secrets);
}

/** The forms in which a secret could leak into a text: raw, JSON-escaped, and each line of a multi-line value. */
export function leakForms(secret: string): string[] {
  const forms = new Set([
    secret,
    JSON.stringify(secret).slice(1, -1),
    JSON.stringify(JSON.stringify(secret)).slice(1, -1),
  ]);
  for (const line of secret.split("\n")) if (line.length >= 16 && !line.startsWith("-----")) forms.add(line);
  const sig = /sig=([^&]+)/.exec(secret)?.[1];
  if (sig !== undefined) forms.add(sig);
  return [...forms];
}

/** Asserts that none of the secrets appears, in any {@link leakForms} form, in any of the texts. */
export function expectNoPlaintextSecrets(texts: readonly string[], secrets: readonly string[], where: string): void {
  for (const secret of secrets) {
    for (const form of leakForms(secret)) {
      const hit = texts.findIndex((text) => text.includes(form));
      expect(hit, `a secret (${form.slice(0, 6)}…) appears in plain text in ${where} #${hit}`).toBe(-1);
    }
  }
}

/** The resources of an exported deployment, by type token. */
export function resourcesOf(deployment: automation.Deployment, type?: string): DeployedResource[] {
  const resources = ((deployment.deployment as { resources?: DeployedResource[] }).resources ?? []).filter(
    (r) => type === undefined || r.type === type,
  );
  return resources;
}

/** One resource of `pulumi stack export`. */
export interface DeployedResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  additionalSecretOutputs?: string[];
  initErrors?: string[];
}

/** The named resource of an exported deployment (by the last URN segment). */
export function resourceNamed(deployment: automation.Deployment, name: string): DeployedResource {
  const found = resourcesOf(deployment).find((r) => r.urn.endsWith(`::${name}`));
  if (found === undefined) throw new Error(`no resource named ${name} in the exported state`);
  return found;
}

/** Whether a value of an exported state is an encrypted secret (`{"4dabf18193072939515e22adb298388d": ...}`). */
export function isEncryptedSecret(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === "object" &&
    (value as Record<string, unknown>)["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270" &&
    typeof (value as Record<string, unknown>)["ciphertext"] === "string"
  );
}

/**
 * The step of each resource in an update, from the engine's events, by resource name (stack and provider resources
 * left out). A replacement is several steps (`create-replacement`, `replace`, `delete-replaced`): reported `replace`.
 */
export function stepsOf(events: readonly automation.EngineEvent[]): Record<string, string> {
  const steps: Record<string, string> = {};
  for (const event of events) {
    const metadata = event.resourcePreEvent?.metadata;
    if (metadata === undefined || metadata.type.startsWith("pulumi:")) continue;
    const name = metadata.urn.split("::").pop() ?? metadata.urn;
    const replacing = ["create-replacement", "replace", "delete-replaced"].includes(metadata.op);
    steps[name] = replacing ? "replace" : (steps[name] ?? metadata.op);
  }
  return steps;
}

/** Diagnostics (`severity: error|warning|info`) the engine reported, texts only. */
export function diagnosticsOf(events: readonly automation.EngineEvent[], severity: string): string[] {
  return events.flatMap((e) => (e.diagnosticEvent?.severity === severity ? [e.diagnosticEvent.message] : []));
}

/** Policy violations the engine reported: `policyName: level`. */
export function policyViolationsOf(events: readonly automation.EngineEvent[]): string[] {
  return events.flatMap((e) =>
    e.policyEvent === undefined ? [] : [`${e.policyEvent.policyName}: ${e.policyEvent.enforcementLevel}`],
  );
}

/**
 * Whether an event is the Node SDK's debug log of a resource RPC response (`RegisterResource RPC finished: … resp:
 * …`). `@pulumi/pulumi` (runtime/resource.js) logs every response at debug level to the engine, outputs included
 * and secret ones in plain text, and the engine writes debug events to the `--event-log` whatever the verbosity.
 * Nothing a provider returns can avoid it (docs/engine.md, "Secrets in the event log").
 */
export function isSdkDebug(event: automation.EngineEvent): boolean {
  const diagnostic = event.diagnosticEvent;
  // The Automation API's type omits "debug", which the engine does send for these.
  const severity: string | undefined = diagnostic?.severity;
  return severity === "debug" && /^(RegisterResource|ReadResource) RPC finished:/.test(diagnostic?.message ?? "");
}

function withoutSdkDebug(events: readonly automation.EngineEvent[]): automation.EngineEvent[] {
  return events.filter((event) => !isSdkDebug(event));
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}
