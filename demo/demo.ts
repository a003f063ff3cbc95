/**
 * `npm run demo` (`platform-credentials demo`): the examples' resources, end to end, with nothing but `npm install`.
 *
 * It starts the emulator, runs the example programs under the Pulumi runtime with mocks (capturing what they
 * register), and applies those registrations through Pulumi's real dynamic-provider host the way `pulumi up`,
 * `pulumi refresh` and `pulumi destroy` drive a provider (engine/engine.ts). Along the way it shows each resource's
 * status, the OAuth consent URL, a probe that fails and why, a second stack reading the outputs with
 * StackReference, a refresh that notices changes made outside Pulumi, the policy pack's violations, and how to run
 * the same examples with a real `pulumi up`. Every step checks that it showed what it should; any deviation is a
 * failure with a clear message and exit code 1.
 */
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startEmulator, type RunningEmulator } from "../emulator/server";
import {
  startPolicyPack,
  type AnalyzerResource,
  type PolicyDiagnostic,
  type PolicyPackProcess,
} from "../engine/analyzer";
import { MiniEngine, type EngineEvent, type ResourceState } from "../engine/engine";
import { startDynamicProviderHost } from "../engine/host";
import { ProgramError, runProgram, type Registration } from "../engine/program";
import { PACKAGE_NAME, prepareProject, type PulumiProject } from "../engine/project";
import { containsSecret, isSecret, reveal, type Secret } from "../engine/secrets";
import {
  CREDENTIAL_EXAMPLES,
  exampleConfig,
  exampleProgram,
  packageRootFrom,
  type EmulatorEndpoints,
  type ExampleConfig,
  type ExampleName,
} from "./examples";
import { evaluateStackOutputs } from "./stackOutputs";
import { DemoPrinter, type DemoOutput, type Style } from "./terminal";

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Where to print. Default: `process.stdout`. */
  out?: DemoOutput;
  /** ANSI colours. Default: when `out` is a TTY and NO_COLOR is unset. */
  color?: boolean;
  /** Port of the demo's own emulator. Default 0: a free port. */
  port?: number;
  /** How long the emulator's data-delivery probes take, in milliseconds (default 400, long enough to see them). */
  probeDelayMs?: number;
}

/** A step did not show what the demo promises: the message says what was expected and what happened. */
export class DemoExpectationError extends Error {
  override readonly name = "DemoExpectationError";
}

const STACK = "dev";
/** The consumer's config key naming each credential stack it reads with StackReference. */
const CONSUMER_REFERENCE_KEYS: Record<(typeof CREDENTIAL_EXAMPLES)[number], string> = {
  "storefront-credentials": "consumer:storefrontStack",
  "data-delivery": "consumer:dataDeliveryStack",
  commercelayer: "consumer:commercelayerStack",
};
/** The bucket the "probe that fails" step points the S3 credential at: the emulator's probe denies `fail-` buckets. */
const FAILING_S3_BUCKET = "fail-acme-lld-s3";
/** Days until the demo's Azure SAS token expires: inside the policy's default 14-day margin, so it is reported. */
const SAS_TOKEN_DAYS = 10;

/** One example stack: its program, config, captured registrations and the mini engine holding its state. */
interface DemoStack {
  name: (typeof CREDENTIAL_EXAMPLES)[number];
  program: string;
  example: ExampleConfig;
  registrations: Registration[];
  engine: MiniEngine;
  outputs: Record<string, unknown>;
}

/**
 * Runs the demo and resolves to the exit code: 0 when every step showed what it should, 1 otherwise (the reason is
 * printed). Everything it starts (emulator, host, policy pack, temporary project) is stopped before it resolves.
 */
export async function runDemo(opts: DemoOptions = {}): Promise<number> {
  const out = opts.out ?? process.stdout;
  const print = new DemoPrinter(out, opts.color);
  const started = Date.now();
  const cleanups: (() => Promise<unknown>)[] = [];
  let stepTitle = "start";
  const step = (title: string) => {
    stepTitle = title;
    print.step(title);
  };

  print.line(print.style("bold", "Platform credentials demo"));
  print.line(
    "The examples' programs run under the Pulumi runtime with mocks; what they register is applied through Pulumi's",
  );
  print.line("real dynamic-provider host, step by step as `pulumi up`, `pulumi refresh` and `pulumi destroy` do.");

  try {
    const root = packageRootFrom(__dirname);

    step("Start the emulator (Scope3 Interchange + Commerce Layer)");
    const emulator = await startEmulator({ port: opts.port ?? 0 });
    cleanups.push(() => emulator.close());
    const probeDelayMs = opts.probeDelayMs ?? 400;
    await admin(emulator, "POST", "/interchange/settings", { probeDelayMs });
    print.item("✓", `listening on ${emulator.origin} (data-delivery probes take ${probeDelayMs} ms)`, "green");
    const endpoints: EmulatorEndpoints = {
      interchangeUrl: emulator.interchangeUrl,
      commerceLayerApiUrl: emulator.commerceLayerApiUrl,
      commerceLayerAuthUrl: emulator.commerceLayerAuthUrl,
    };

    step("Install the package in a Pulumi project and start Pulumi's dynamic-provider host");
    const project = await prepareProject();
    cleanups.push(() => project.cleanup());
    const host = await startDynamicProviderHost(project, { stackName: STACK });
    cleanups.push(() => host.close());
    print.item("✓", `project ${project.dir} (${PACKAGE_NAME} in node_modules)`, "green");
    print.item("✓", `host pid ${host.pid}, gRPC on 127.0.0.1:${host.port}`, "green");

    step("Run the example programs under mocks and capture their registrations");
    const sasToken = demoSasToken(SAS_TOKEN_DAYS);
    const stacks = await Promise.all(
      CREDENTIAL_EXAMPLES.map(async (name): Promise<DemoStack> => {
        const example = exampleConfig(
          root,
          name,
          endpoints,
          name === "data-delivery" ? { azureSasToken: sasToken } : {},
        );
        const program = exampleProgram(root, name);
        const run = await runProgram({
          project,
          program,
          config: example.config,
          projectName: example.projectName,
          stackName: STACK,
        });
        const engine = new MiniEngine({ host, onEvent: (event) => reportEvent(print, engine, event) });
        return { name, program, example, registrations: run.registrations, engine, outputs: {} };
      }),
    );
    for (const stack of stacks) {
      const resources = stack.registrations.filter((reg) => reg.providerText !== undefined);
      const secretInputs = resources.filter((reg) => containsSecret(reg.inputs)).length;
      print.item(
        "✓",
        `examples/${stack.name}: ${resources.length} resources (${describeTypes(resources)}); ` +
          `${secretInputs} with secret inputs`,
        "green",
      );
    }
    // One host serves every stack: configure it once with the provider settings the examples share.
    await host.configure(providerConfig(stacks));

    step("pulumi preview");
    for (const stack of stacks) {
      const planned = await stack.engine.preview(stack.registrations);
      const creates = planned.filter((p) => p.op === "create").length;
      print.item("•", `${stack.name}: ${creates} to create`);
    }

    for (const stack of stacks) {
      step(`pulumi up — ${stack.name}`);
      await stack.engine.up(stack.registrations);
      expectCount(stack, stack.registrations.filter((reg) => reg.providerText !== undefined).length);
    }
    const social = findResource(stacks, "storefront-credentials", "social");
    const consentUrl = reveal<string | undefined>(social.outputs["oauthAuthorizationUrl"]);
    expect(
      reveal(social.outputs["status"]) === "PENDING" && typeof consentUrl === "string",
      "the OAuth credential `social` to be PENDING with a consent URL",
      `status ${String(reveal(social.outputs["status"]))}`,
    );

    step("Stack outputs (what `pulumi stack output` shows; secrets stay [secret])");
    for (const stack of stacks) {
      stack.outputs = await evaluateStackOutputs({
        project,
        program: stack.program,
        projectName: stack.example.projectName,
        stackName: STACK,
        config: stack.example.config,
        resources: stack.engine.state.values(),
      });
      print.item("•", `${stack.name}:`);
      for (const [key, value] of Object.entries(stack.outputs)) print.detail(`${key}: ${formatValue(value)}`);
    }
    const clOutputs = stackByName(stacks, "commercelayer").outputs;
    expect(
      isSecret(clOutputs["erpClientSecret"]) && isSecret(clOutputs["erpClientId"]),
      "the commercelayer stack to export erpClientId and erpClientSecret as secrets",
      "they are plain",
    );

    step("A probe that fails: `pulumi config set s3Bucket fail-acme-lld-s3 && pulumi up` (data-delivery)");
    const dataDelivery = stackByName(stacks, "data-delivery");
    const failing = exampleConfig(root, "data-delivery", endpoints, {
      azureSasToken: sasToken,
      s3Bucket: FAILING_S3_BUCKET,
    });
    const failingRun = await runProgram({
      project,
      program: dataDelivery.program,
      config: failing.config,
      projectName: failing.projectName,
      stackName: STACK,
    });
    const failure = await dataDelivery.engine.up(failingRun.registrations).then(
      () => undefined,
      (error: unknown) => error,
    );
    const s3 = findResource(stacks, "data-delivery", "lld-s3");
    expect(
      failure !== undefined && reveal(s3.outputs["status"]) === "FAILED" && s3.initErrors !== undefined,
      "the update of lld-s3 to fail its probe and stay in state as FAILED",
      failure === undefined ? "the update succeeded" : `status ${String(reveal(s3.outputs["status"]))}`,
    );
    print.item("•", "`pulumi up` exits non-zero; the credential stays in the stack (partial failure), marked FAILED");
    print.line("");
    print.line("  Put the bucket back: `pulumi config rm s3Bucket && pulumi up`");
    await dataDelivery.engine.up(dataDelivery.registrations);
    expect(
      reveal(findResource(stacks, "data-delivery", "lld-s3").outputs["status"]) === "VALIDATED",
      "lld-s3 to be VALIDATED again",
      String(reveal(findResource(stacks, "data-delivery", "lld-s3").outputs["status"])),
    );

    step("A second stack reads the outputs with StackReference (examples/consumer)");
    const consumer = exampleConfig(root, "consumer");
    const references: Record<string, Record<string, unknown>> = {};
    for (const stack of stacks) {
      // The consumer's config names the stacks it reads (Pulumi.yaml defaults: organization/<project>/dev).
      const stackName = reveal<string | undefined>(consumer.config[CONSUMER_REFERENCE_KEYS[stack.name]]);
      if (stackName === undefined)
        throw new DemoExpectationError(`consumer config lacks ${CONSUMER_REFERENCE_KEYS[stack.name]}`);
      references[stackName] = stack.outputs;
    }
    const consumerOutputs = await evaluateStackOutputs({
      project,
      program: exampleProgram(root, "consumer"),
      projectName: consumer.projectName,
      stackName: STACK,
      config: consumer.config,
      resources: [],
      stackReferences: references,
    });
    for (const [key, value] of Object.entries(consumerOutputs)) print.item("•", `${key}: ${formatValue(value)}`);
    expect(
      isSecret(consumerOutputs["erpSettings"]) && consumerOutputs["dataDeliveryReady"] === true,
      "erpSettings to stay secret and dataDeliveryReady to be true",
      `erpSettings ${isSecret(consumerOutputs["erpSettings"]) ? "secret" : "plain"}, ` +
        `dataDeliveryReady ${String(consumerOutputs["dataDeliveryReady"])}`,
    );

    step("Meanwhile, outside Pulumi");
    await admin(emulator, "POST", "/interchange/oauth/consent", { authorizationUrl: consentUrl });
    print.item("•", "a person opens the consent URL of `social` and consents");
    const gcs = findResource(stacks, "data-delivery", "lld-gcs");
    const gcsBucket = reveal<{ bucket: string }>(gcs.outputs["destination"]).bucket;
    await admin(emulator, "POST", "/interchange/destinations", { destination: gcsBucket, granted: false });
    print.item("•", `the bucket gs://${gcsBucket} stops granting Scope3 write access`);
    const retail = findResource(stacks, "storefront-credentials", "retail");
    await admin(emulator, "DELETE", `/interchange/credentials/${encodeURIComponent(retail.id)}`);
    print.item("•", "someone revokes the `retail` credential in the Interchange web app");

    step("pulumi refresh");
    const before = new Map<string, ResourceState>();
    for (const stack of stacks) for (const [urn, resource] of stack.engine.state) before.set(urn, resource);
    const refreshed = [];
    for (const stack of stacks) refreshed.push(...(await stack.engine.refresh()));
    for (const result of refreshed) {
      const old = before.get(result.urn);
      const name = resourceName(result.urn);
      if (result.gone) {
        print.item("-", `${name}: gone — removed from the stack's state`, "red");
        continue;
      }
      const now = stacks.map((s) => s.engine.state.get(result.urn)).find((r) => r !== undefined);
      const statusBefore = reveal<string | undefined>(old?.outputs["status"]);
      const statusNow = reveal<string | undefined>(now?.outputs["status"]);
      if (statusBefore !== statusNow) {
        print.item("~", `${name}: status ${statusBefore} → ${colourStatus(print, statusNow)}`, "yellow");
        const statusError = reveal<string | undefined>(now?.outputs["statusError"]);
        if (statusError) print.detail(`why: ${statusError}`);
        if (statusBefore === "PENDING" && now?.outputs["oauthAuthorizationUrl"] === undefined) {
          print.detail("the consent URL output is gone (consent given)");
        }
      } else {
        const changed = result.drift.filter((key) => key !== "__provider");
        const summary = now ? statusText(print, now) : "";
        print.item("=", `${name}: ${summary}${changed.length ? ` (${changed.join(", ")} updated)` : " (no drift)"}`);
      }
    }
    expect(
      refreshed.some((r) => r.gone && resourceName(r.urn) === "retail") &&
        reveal(findResource(stacks, "storefront-credentials", "social").outputs["status"]) === "ACTIVE" &&
        reveal(findResource(stacks, "data-delivery", "lld-gcs").outputs["status"]) === "FAILED",
      "refresh to drop `retail`, show `social` ACTIVE and `lld-gcs` FAILED",
      "a different outcome (see above)",
    );

    step("Policy pack examples/policy-pack over the refreshed stacks");
    const pack = await startDemoPolicyPack(project);
    cleanups.push(() => pack.close());
    const info = await pack.info();
    print.item("✓", `${info.name} ${info.version}: ${info.policies.length} policies`, "green");
    const resources = stacks.flatMap((stack) => [...stack.engine.state.values()].map(analyzerResource));
    const diagnostics: PolicyDiagnostic[] = [];
    for (const resource of resources) diagnostics.push(...(await pack.analyze(resource)));
    diagnostics.push(...(await pack.analyzeStack(resources)));
    for (const diagnostic of diagnostics) {
      const level = diagnostic.enforcementLevel;
      const who = diagnostic.urn ? resourceName(diagnostic.urn) : "stack";
      print.item(
        level === "mandatory" ? "✗" : "!",
        `${level} ${diagnostic.policyName} — ${who}`,
        level === "mandatory" ? "red" : "yellow",
      );
      print.detail(diagnostic.message.split("\n").slice(1).join(" ") || diagnostic.message);
    }
    const names = new Set(diagnostics.map((d) => d.policyName));
    expect(
      names.has("data-delivery-credential-validated") && names.has("azure-sas-token-expiry"),
      "violations of data-delivery-credential-validated (lld-gcs) and azure-sas-token-expiry (lld-azure)",
      diagnostics.length === 0 ? "no violation" : [...names].join(", "),
    );
    print.line(
      `  ${diagnostics.filter((d) => d.enforcementLevel === "mandatory").length} mandatory: a real \`pulumi up\` with ` +
        "this pack would stop on them.",
    );

    step("pulumi destroy");
    for (const stack of [...stacks].reverse()) await stack.engine.destroy();
    const state = emulator.state() as {
      interchange: { sourceCredentials: unknown[]; advertisers: { id: string; credentials: unknown[] }[] };
      commercelayer: { apiCredentials: unknown[] };
    };
    const advertiserId = reveal<string>(dataDelivery.example.config["data-delivery:advertiserId"]);
    const deliveryLeft = state.interchange.advertisers.find((a) => a.id === advertiserId)?.credentials.length;
    print.item("•", `Commerce Layer API credentials left: ${state.commercelayer.apiCredentials.length}`);
    print.item("•", `data-delivery credentials left on advertiser ${advertiserId}: ${deliveryLeft}`);
    print.item(
      "•",
      `storefront source registrations left: ${state.interchange.sourceCredentials.length} — Interchange has no ` +
        "revoke (`revocation: manual`); revoke them in the web app",
    );
    expect(
      state.commercelayer.apiCredentials.length === 0 && deliveryLeft === 0,
      "destroy to delete every Commerce Layer and data-delivery credential",
      `${state.commercelayer.apiCredentials.length} and ${deliveryLeft} left`,
    );

    step("Run the same examples with a real `pulumi up`");
    for (const text of realPulumiUpInstructions()) print.line(text);
    print.line("");
    print.line(print.style("green", `Demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s.`));
    return 0;
  } catch (error) {
    print.line("");
    print.line(print.style("red", `✗ Demo failed during "${stepTitle}": ${errorText(error)}`));
    return 1;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

/** Lines explaining how to run the examples against the emulator (or the real APIs) with the Pulumi CLI. */
export function realPulumiUpInstructions(): string[] {
  return [
    "  1. Start the emulator (it listens on port 4010, the examples' default):",
    "       npm run emulator      (in this repository; `npx platform-credentials emulator` where the package is installed)",
    "  2. In another terminal, in an example (Pulumi.yaml already points at the emulator with its fake keys):",
    "       cd examples/storefront-credentials && npm install --install-links",
    "       pulumi login --local && pulumi stack init dev",
    "       pulumi up",
    "  3. Against the real APIs, set the config instead, for example:",
    "       pulumi config set interchange:baseUrl https://api.interchange.io/api/v2/buyer",
    "       pulumi config set --secret interchange:apiKey <your scope3 API key>",
    "     (see each example's README.md; policies: pulumi preview --policy-pack examples/policy-pack)",
  ];
}

/** Prints each engine event as a resource line: op marker, name, type, outcome and status. */
function reportEvent(print: DemoPrinter, engine: MiniEngine, event: EngineEvent): void {
  const name = resourceName(event.urn);
  const type = shortType(event.type);
  if (event.kind === "step-start") {
    if (event.type.endsWith(":DataDeliveryCredential") && event.op !== "delete") {
      print.waiting(`${name}: ${event.op === "read" ? "re-running" : "waiting for"} Scope3's probe of the destination`);
    }
    return;
  }
  if (event.kind === "step-failed") {
    if (event.partial) {
      print.item("✗", `${name} (${type}) ${event.op} failed — kept in state with id ${event.partial.id}`, "red");
      for (const reason of event.partial.reasons) print.detail(`why: ${reason}`);
    } else {
      print.item("✗", `${name} (${type}) ${event.op} failed: ${event.error.message}`, "red");
    }
    return;
  }
  if (event.op === "read") return; // refresh results are printed with their before/after status
  const seconds = `${(event.durationMs / 1000).toFixed(1)} s`;
  const markers: Record<string, string> = { create: "+", update: "~", replace: "+-", delete: "-", same: "=" };
  const marker = markers[event.op] ?? "•";
  const verb = { create: "created", update: "updated", replace: "replaced", delete: "deleted", same: "unchanged" }[
    event.op
  ];
  const resource = engine.state.get(event.urn);
  const details = event.op === "delete" ? deleteNote(event.type) : resource ? statusText(print, resource) : "";
  print.item(marker, `${name} (${type}) ${verb} in ${seconds}${details ? ` — ${details}` : ""}`, "green");
  if (resource && event.op !== "same") {
    const consent = reveal<string | undefined>(resource.outputs["oauthAuthorizationUrl"]);
    if (consent) print.detail(`OAuth consent URL: ${print.style("cyan", consent)}`);
  }
}

function deleteNote(type: string): string {
  return type.endsWith(":StorefrontSourceCredential")
    ? "removed from state only; the registration stays until revoked in the web app"
    : "";
}

/** What matters about a resource after a step: its status, and for Commerce Layer its kind and client id. */
function statusText(print: DemoPrinter, resource: ResourceState): string {
  const outputs = resource.outputs;
  if (resource.type.endsWith(":ApiCredential")) {
    return `${reveal<string>(outputs["kind"])}, ${reveal<string>(outputs["mode"])} mode, client id ${formatValue(outputs["clientId"])}`;
  }
  const status = reveal<string | undefined>(outputs["status"]);
  const destination = reveal<{ type?: string } | undefined>(outputs["destination"]);
  return [destination?.type, colourStatus(print, status)].filter(Boolean).join(" ");
}

function colourStatus(print: DemoPrinter, status: string | undefined): string {
  const styles: Record<string, Style> = { ACTIVE: "green", VALIDATED: "green", PENDING: "yellow", FAILED: "red" };
  const style = status === undefined ? undefined : styles[status];
  return style ? print.style(style, status ?? "") : String(status);
}

/** A value as the CLI prints stack outputs: secrets as `[secret]`, objects as compact JSON. */
function formatValue(value: unknown): string {
  if (isSecret(value)) return "[secret]";
  if (value === undefined) return "(none)";
  if (typeof value === "string") return value;
  // Secret's toJSON prints `[secret]`, so nested secrets stay hidden.
  return JSON.stringify(value);
}

/** The provider settings of every stack (interchange:*, commercelayer:*, platform-credentials:*). */
function providerConfig(stacks: readonly DemoStack[]): Record<string, string | Secret<string>> {
  const config: Record<string, string | Secret<string>> = {};
  for (const stack of stacks) {
    for (const [key, value] of Object.entries(stack.example.config)) {
      if (/^(interchange|commercelayer|platform-credentials):/.test(key)) config[key] = value;
    }
  }
  return config;
}

/** A copy of the compiled examples/policy-pack inside the project, where its imports resolve, started. */
async function startDemoPolicyPack(project: PulumiProject): Promise<PolicyPackProcess> {
  const dir = join(project.dir, "policy-pack");
  mkdirSync(dir, { recursive: true });
  cpSync(project.resolve(`${PACKAGE_NAME}/dist/examples/policy-pack/index.js`), join(dir, "index.js"));
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "platform-credentials-policy-pack", version: "0.1.0", main: "index.js" }),
  );
  writeFileSync(join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\n");
  return startPolicyPack(dir);
}

function analyzerResource(resource: ResourceState): AnalyzerResource {
  return {
    type: resource.type,
    name: resourceName(resource.urn),
    urn: resource.urn,
    properties: resource.outputs,
    options: { additionalSecretOutputs: resource.additionalSecretOutputs },
  };
}

/** A SAS query string in the emulator's accepted shape, expiring in `days` days (fake signature). */
function demoSasToken(days: number): string {
  const expiry = new Date(Date.now() + days * 24 * 60 * 60 * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  return `sv=2022-11-02&sr=c&sp=cwd&se=${expiry}&sig=demo-placeholder`;
}

async function admin(emulator: RunningEmulator, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${emulator.adminUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`emulator admin ${method} ${path} answered ${response.status}: ${text}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

function stackByName(stacks: readonly DemoStack[], name: ExampleName): DemoStack {
  const stack = stacks.find((s) => s.name === name);
  if (!stack) throw new DemoExpectationError(`the ${name} stack is missing`);
  return stack;
}

function findResource(stacks: readonly DemoStack[], stackName: ExampleName, name: string): ResourceState {
  const resource = [...stackByName(stacks, stackName).engine.state.values()].find((r) => resourceName(r.urn) === name);
  if (!resource) throw new DemoExpectationError(`expected resource ${name} in the ${stackName} stack's state`);
  return resource;
}

function expectCount(stack: DemoStack, wanted: number): void {
  expect(
    stack.engine.state.size === wanted,
    `${wanted} resources in the ${stack.name} stack`,
    `${stack.engine.state.size}`,
  );
}

function expect(ok: boolean, wanted: string, got: string): void {
  if (!ok) throw new DemoExpectationError(`expected ${wanted}, got ${got}`);
}

function resourceName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

function shortType(type: string): string {
  return type.replace(/^pulumi-nodejs:dynamic\//, "");
}

function describeTypes(registrations: readonly Registration[]): string {
  const counts = new Map<string, number>();
  for (const reg of registrations) counts.set(shortType(reg.type), (counts.get(shortType(reg.type)) ?? 0) + 1);
  return [...counts].map(([type, count]) => `${count}× ${type}`).join(", ");
}

function errorText(error: unknown): string {
  if (error instanceof ProgramError) return `${error.message.split("\n")[0]}\n${error.stderr.trim()}`;
  return error instanceof Error ? error.message : String(error);
}
