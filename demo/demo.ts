/**
 * `npm run demo` (`platform-credentials demo`): the shipped examples through the real `pulumi` CLI and engine.
 *
 * It finds (or, the first time on a machine, builds) the Pulumi CLI, starts the emulator, installs this package from
 * its packed tarball as a user does, and drives the examples with the real engine (engine/session.ts, engine/stack.ts,
 * engine/install.ts): preview and up of each credential stack, an OAuth consent picked up by refresh and up, a probe
 * that fails and the resource kept in state, a second stack reading the outputs with StackReference, changes made
 * outside Pulumi found by refresh, the policy pack run by the real analyzer, and destroy. It prints what the CLI
 * printed, and checks after every step that the step showed what it promises; any deviation is a failure with a
 * clear message and exit code 1.
 */
import { basename, join } from "node:path";
import type * as automation from "@pulumi/pulumi/automation";
import { startEmulator, type RunningEmulator } from "../emulator/server";
import { BUILT_VERSION, type PulumiCli } from "../engine/cli";
import {
  copyProject,
  installPackage,
  PACKAGE_NAME,
  policyPackLauncher,
  type InstalledPackage,
} from "../engine/install";
import { PulumiSession } from "../engine/session";
import { ProjectStack, StackCommandError, type CommandOutcome } from "../engine/stack";
import {
  CONSUMER_REFERENCE_KEYS,
  CREDENTIAL_EXAMPLES,
  exampleStackConfig,
  type CredentialExample,
  type EmulatorEndpoints,
} from "./config";
import { DemoPrinter, terminalView, type DemoOutput } from "./terminal";

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

/** The stack name of every example: StackReference names on a file backend are `organization/<project>/dev`. */
const STACK = "dev";
/** The bucket the "probe that fails" step points the S3 credential at: the emulator's probe denies `fail-` buckets. */
const FAILING_S3_BUCKET = "fail-acme-lld-s3";
/** Days until the demo's Azure SAS token expires: inside the policy's default 14-day margin, so it is reported. */
const SAS_TOKEN_DAYS = 10;

/** What `pulumi up` of each credential example must show. */
const EXPECTED_UP: Record<CredentialExample, { outputs: Record<string, unknown>; secret: string[]; says: string }> = {
  "storefront-credentials": {
    outputs: { displayStatus: "ACTIVE", retailStatus: "ACTIVE", socialStatus: "PENDING" },
    secret: [],
    says: "3 source credentials registered: display and retail ACTIVE, social PENDING until a person consents",
  },
  "data-delivery": {
    outputs: { gcsStatus: "VALIDATED", s3Status: "VALIDATED", azureStatus: "VALIDATED" },
    secret: [],
    says: "Scope3 probed the 3 destinations (GCS, S3, Azure Blob): all VALIDATED",
  },
  commercelayer: {
    outputs: {},
    secret: ["storefrontClientId", "erpClientId", "erpClientSecret", "backofficeClientId", "backofficeClientSecret"],
    says: "3 API credentials (sales channel, integration, webapp); client ids and secrets are [secret] outputs",
  },
};

/** Everything one run has open. */
interface DemoRun {
  readonly print: DemoPrinter;
  readonly session: PulumiSession;
  readonly emulator: RunningEmulator;
  readonly installed: InstalledPackage;
  readonly stacks: Map<CredentialExample | "consumer", ProjectStack>;
  readonly projectNames: Map<CredentialExample, string>;
  /** Every secret value the run used or read: none may appear in what it printed. */
  readonly secrets: Set<string>;
}

/**
 * Runs the demo and resolves to the exit code: 0 when every step showed what it should, 1 otherwise (the reason is
 * printed). Everything it starts (emulator, stacks' runner processes, the session's temp directory) is stopped or
 * removed before it resolves.
 */
export async function runDemo(opts: DemoOptions = {}): Promise<number> {
  const out = opts.out ?? process.stdout;
  const printed: string[] = [];
  const print = new DemoPrinter(
    {
      write: (text: string) => {
        printed.push(text);
        return out.write(text);
      },
      ...(out.isTTY === undefined ? {} : { isTTY: out.isTTY }),
    },
    opts.color,
  );
  const started = Date.now();
  const cleanups: (() => Promise<unknown>)[] = [];
  let stepTitle = "start";
  const step = (title: string) => {
    stepTitle = title;
    print.step(title);
  };

  print.line(print.style("bold", "Platform credentials demo"));
  print.line("The shipped examples, installed from this package's tarball, run by the real `pulumi` CLI and engine");
  print.line("against a private emulator. Command output is shown as a terminal leaves it (progress lines left out).");

  try {
    step("Find the Pulumi CLI");
    print.item(
      "•",
      `Without Pulumi on this machine, the first run builds the CLI v${BUILT_VERSION} from Pulumi's Go modules: ` +
        "10-25 minutes on 2 cores, with progress below. Later runs reuse the build.",
    );
    const session = await PulumiSession.create({ onProgress: (line) => print.detail(line) });
    cleanups.push(() => session.close());
    print.item("✓", `pulumi v${session.cli.version} (${cliSource(session.cli)}): ${session.cli.bin}`, "green");
    print.item("✓", `own PULUMI_HOME, file backend ${session.backendDir}, passphrase secrets, offline`, "green");

    step("Start the emulator (Scope3 Interchange + Commerce Layer)");
    const emulator = await startEmulator({ port: opts.port ?? 0 });
    cleanups.push(() => emulator.close());
    const probeDelayMs = opts.probeDelayMs ?? 400;
    await admin(emulator, "POST", "/interchange/settings", { probeDelayMs });
    print.item("✓", `listening on ${emulator.origin} (data-delivery probes take ${probeDelayMs} ms)`, "green");

    step("Install the package as a user does: npm pack, then npm install <tarball>");
    const installed = await installPackage({ onProgress: (line) => print.item("•", line) });
    print.item(
      "✓",
      `${PACKAGE_NAME} ${installed.version} from ${basename(installed.tarball)}, in ${installed.root}`,
      "green",
    );

    const run: DemoRun = {
      print,
      session,
      emulator,
      installed,
      stacks: new Map(),
      projectNames: new Map(),
      secrets: new Set(),
    };
    cleanups.push(() => Promise.all([...run.stacks.values()].map((stack) => stack.close())));

    step("Stack config: `pulumi stack init dev` and `pulumi config set [--secret]` in each example");
    await openCredentialStacks(run, {
      interchangeUrl: emulator.interchangeUrl,
      commerceLayerApiUrl: emulator.commerceLayerApiUrl,
      commerceLayerAuthUrl: emulator.commerceLayerAuthUrl,
    });

    for (const example of CREDENTIAL_EXAMPLES) {
      step(`pulumi preview, then pulumi up — ${example}`);
      await deploy(run, example);
    }

    step("OAuth consent: a person opens socialConsentUrl; then pulumi refresh and pulumi up (storefront-credentials)");
    await consent(run);

    step(`A probe that fails: pulumi config set s3Bucket ${FAILING_S3_BUCKET} && pulumi up (data-delivery)`);
    await failingProbe(run);

    step("A second stack reads the outputs with StackReference (examples/consumer)");
    await consumer(run);

    step("Changes made outside Pulumi, found by pulumi refresh");
    await drift(run);

    step("Policy pack examples/policy-pack, run by the real analyzer: pulumi preview --policy-pack");
    await policyPack(run);

    step("pulumi destroy");
    await destroy(run);

    step("No secret in anything printed above");
    const text = printed.join("");
    const leaked = [...run.secrets].filter((secret) => text.includes(secret));
    expect(leaked.length === 0, "no secret value in the output", `${leaked.length} printed in plain text`);
    print.item(
      "✓",
      `none of the ${run.secrets.size} secret values (keys, tokens, client secrets) was printed`,
      "green",
    );

    step("Run the same examples yourself with `pulumi up`");
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
    "  The demo ran the example programs through the Automation API (inline programs, no nodejs language host);",
    "  with Pulumi installed, each example runs as its README says:",
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

/** Lays out a project copy per credential example, opens its `dev` stack and sets its config. */
async function openCredentialStacks(run: DemoRun, endpoints: EmulatorEndpoints): Promise<void> {
  const sasToken = demoSasToken(SAS_TOKEN_DAYS);
  await Promise.all(
    CREDENTIAL_EXAMPLES.map(async (example) => {
      const projectDir = projectCopy(run, example);
      const { projectName, config } = exampleStackConfig(
        projectDir,
        endpoints,
        example === "data-delivery" ? { azureSasToken: sasToken } : {},
      );
      const stack = await ProjectStack.open(run.session, { projectDir, stackName: STACK });
      run.stacks.set(example, stack);
      run.projectNames.set(example, projectName);
      await stack.setConfig(config);
      for (const value of Object.values(config)) if (value.secret === true) run.secrets.add(value.value);
    }),
  );
  for (const example of CREDENTIAL_EXAMPLES) {
    const config = exampleStackConfig(projectCopyDir(run, example), endpoints).config;
    const keys = Object.entries(config).map(([key, value]) => (value.secret === true ? `--secret ${key}` : key));
    run.print.item("•", `${example}: stack ${STACK}; config set ${keys.join(", ")}`);
  }
  // The emulator's probe shows only the SAS token's expiry, but the signature is the secret part of it.
  const signature = /sig=([^&]+)/.exec(sasToken)?.[1];
  if (signature !== undefined) run.secrets.add(signature);
}

/** `pulumi preview` then `pulumi up` of a fresh credential stack. */
async function deploy(run: DemoRun, example: CredentialExample): Promise<void> {
  const stack = stackOf(run, example);
  const preview = await show(run, example, "pulumi preview", stack.preview({ diff: false }), { outputs: false });
  expectCounts(preview.result.changeSummary, { create: 4 }, `the plan of ${example}`);
  expect(preview.result.stdout.includes("+ 4 to create"), "the plan to say `+ 4 to create`", "it does not");
  run.print.item("✓", "the plan: 4 to create (the stack and 3 credentials), nothing written yet", "green");

  const up = await show(run, example, "pulumi up", stack.up({ diff: false }));
  expectCounts(up.result.summary.resourceChanges, { create: 4 }, `pulumi up of ${example}`);
  const wanted = EXPECTED_UP[example];
  for (const [key, value] of Object.entries(wanted.outputs)) {
    const got = up.result.outputs[key]?.value as unknown;
    expect(got === value, `output ${key} of ${example} to be ${String(value)}`, String(got));
  }
  for (const key of wanted.secret) {
    const output = up.result.outputs[key];
    expect(output?.secret === true, `output ${key} of ${example} to be secret`, output ? "plain" : "missing");
    expect(
      new RegExp(`^ +${key} *: \\[secret\\]$`, "m").test(up.result.stdout),
      `pulumi up to print ${key} as [secret]`,
      "it does not",
    );
    addSecretValues(run, output?.value);
  }
  if (example === "storefront-credentials") {
    const url = up.result.outputs["socialConsentUrl"]?.value as unknown;
    expect(typeof url === "string" && url.startsWith("https://"), "an OAuth consent URL output", String(url));
  }
  run.print.item("✓", wanted.says, "green");
}

/** The OAuth credential turns ACTIVE once a person consents: refresh records it, up carries it into the outputs. */
async function consent(run: DemoRun): Promise<void> {
  const stack = stackOf(run, "storefront-credentials");
  const consentUrl = (await stack.outputs())["socialConsentUrl"]?.value as string;
  await admin(run.emulator, "POST", "/interchange/oauth/consent", { authorizationUrl: consentUrl });
  run.print.item(
    "•",
    `a person opens ${consentUrl} and consents (the emulator's /_emulator/interchange/oauth/consent)`,
  );
  await show(run, "storefront-credentials", "pulumi refresh", stack.refresh(), { outputs: false });
  const social = resourceNamed(await stack.exportStack(), "social");
  expect(
    social.outputs?.["status"] === "ACTIVE",
    "refresh to record social as ACTIVE",
    String(social.outputs?.["status"]),
  );
  run.print.item(
    "✓",
    "the state now holds social ACTIVE (the engine lists a change of outputs alone as `unchanged`)",
    "green",
  );
  const up = await show(run, "storefront-credentials", "pulumi up", stack.up({ diff: false }));
  expectCounts(up.result.summary.resourceChanges, { same: 4 }, "pulumi up after consent");
  expect(
    up.result.outputs["socialStatus"]?.value === "ACTIVE" &&
      up.result.outputs["socialConsentUrl"] === undefined &&
      /socialStatus *: "PENDING" => "ACTIVE"/.test(up.result.stdout),
    'pulumi up to show socialStatus "PENDING" => "ACTIVE" and drop the consent URL',
    `socialStatus ${String(up.result.outputs["socialStatus"]?.value)}`,
  );
  run.print.item("✓", "socialStatus PENDING → ACTIVE, and the consent URL output is gone", "green");
}

/** A destination the probe cannot write to: `up` fails with the reason, the credential stays in state; then fixed. */
async function failingProbe(run: DemoRun): Promise<void> {
  const stack = stackOf(run, "data-delivery");
  run.print.command(`pulumi config set s3Bucket ${FAILING_S3_BUCKET}`, "data-delivery");
  await stack.setConfig({ "data-delivery:s3Bucket": { value: FAILING_S3_BUCKET } });
  const failure = await showFailure(run, "data-delivery", "pulumi up", stack.up({ diff: false }));
  const said = cliText(failure);
  const code = exitCode(failure);
  const s3 = resourceNamed(await stack.exportStack(), "lld-s3");
  expect(
    code === 1 && said.includes("AccessDenied") && said.includes(`s3://${FAILING_S3_BUCKET}`),
    `pulumi up to exit 1 saying the probe of s3://${FAILING_S3_BUCKET} was denied`,
    `exit code ${String(code)}`,
  );
  expect(
    s3.outputs?.["status"] === "FAILED" && (s3.initErrors?.length ?? 0) > 0,
    "lld-s3 to stay in the state as FAILED, with the reason as its init error",
    `status ${String(s3.outputs?.["status"])}`,
  );
  run.print.item(
    "✓",
    `pulumi up exited with code 1; lld-s3 stays in the stack (id ${s3.id ?? "?"}), FAILED: ${String(s3.outputs?.["statusError"])}`,
    "green",
  );
  run.print.command("pulumi config rm s3Bucket", "data-delivery");
  await stack.removeConfig(["data-delivery:s3Bucket"]);
  const fixed = await show(run, "data-delivery", "pulumi up", stack.up({ diff: false }));
  expectCounts(fixed.result.summary.resourceChanges, { update: 1, same: 3 }, "pulumi up with the bucket put back");
  expect(fixed.result.outputs["s3Status"]?.value === "VALIDATED", "lld-s3 VALIDATED again", "it is not");
  run.print.item("✓", "lld-s3 updated in place and VALIDATED again", "green");
}

/** examples/consumer reads the three stacks with StackReference: secret outputs stay secret there. */
async function consumer(run: DemoRun): Promise<void> {
  const projectDir = projectCopy(run, "consumer");
  const stack = await ProjectStack.open(run.session, { projectDir, stackName: STACK });
  run.stacks.set("consumer", stack);
  const config: automation.ConfigMap = {};
  for (const example of CREDENTIAL_EXAMPLES) {
    const key = CONSUMER_REFERENCE_KEYS[example];
    const name = `organization/${run.projectNames.get(example) ?? example}/${STACK}`;
    config[key] = { value: name };
    run.print.command(`pulumi config set ${key.slice(key.indexOf(":") + 1)} ${name}`, "consumer");
  }
  await stack.setConfig(config);
  const up = await show(run, "consumer", "pulumi up", stack.up({ diff: false }));
  expectCounts(up.result.summary.resourceChanges, { create: 1 }, "pulumi up of the consumer");
  const outputs = up.result.outputs;
  const state = resourcesOf(await stack.exportStack()).find((r) => r.type === "pulumi:pulumi:Stack");
  for (const key of ["erpSettings", "erpClientIdForJobs"]) {
    expect(
      outputs[key]?.secret === true &&
        new RegExp(`^ +${key} *: \\[secret\\]$`, "m").test(up.result.stdout) &&
        isEncryptedSecret(state?.outputs?.[key]),
      `${key} to be [secret] in the output and encrypted in the consumer's state`,
      outputs[key]?.secret === true ? "it is encrypted nowhere or printed" : "it is plain",
    );
    addSecretValues(run, outputs[key]?.value);
  }
  expect(outputs["dataDeliveryReady"]?.value === true, "dataDeliveryReady to be true", "it is not");
  run.print.item(
    "✓",
    "erpSettings and erpClientIdForJobs come from secret outputs: [secret] here, encrypted in the consumer's state; " +
      "dataDeliveryReady: true",
    "green",
  );
}

/** A credential revoked and a bucket grant removed outside Pulumi; refresh finds both, up converges. */
async function drift(run: DemoRun): Promise<void> {
  const storefront = stackOf(run, "storefront-credentials");
  const delivery = stackOf(run, "data-delivery");
  const retail = resourceNamed(await storefront.exportStack(), "retail");
  await admin(run.emulator, "DELETE", `/interchange/credentials/${encodeURIComponent(retail.id ?? "")}`);
  run.print.item("•", "someone revokes `retail` in the Interchange web app");
  const destination = resourceNamed(await delivery.exportStack(), "lld-gcs").outputs?.["destination"] as {
    bucket: string;
  };
  await admin(run.emulator, "POST", "/interchange/destinations", { destination: destination.bucket, granted: false });
  run.print.item("•", `the bucket gs://${destination.bucket} stops granting Scope3 write access`);

  const refreshed = await show(run, "storefront-credentials", "pulumi refresh", storefront.refresh(), {
    outputs: false,
  });
  expectCounts(refreshed.result.summary.resourceChanges, { same: 3, delete: 1 }, "refresh of storefront-credentials");
  const names = resourcesOf(await storefront.exportStack()).map((r) => resourceName(r.urn));
  expect(!names.includes("retail"), "retail to leave the state", "it is still there");
  run.print.item("✓", "retail is gone from the state", "green");

  await show(run, "data-delivery", "pulumi refresh", delivery.refresh(), { outputs: false });
  const gcs = resourceNamed(await delivery.exportStack(), "lld-gcs");
  const why = String(gcs.outputs?.["statusError"]);
  expect(
    gcs.outputs?.["status"] === "FAILED" && why.includes(`gs://${destination.bucket}`),
    `refresh to re-probe lld-gcs and record it FAILED naming gs://${destination.bucket}`,
    `status ${String(gcs.outputs?.["status"])}`,
  );
  run.print.item("✓", `lld-gcs re-probed: FAILED in the state ("${why}"), listed as unchanged`, "green");

  const up = await show(run, "storefront-credentials", "pulumi up", storefront.up({ diff: false }));
  expectCounts(up.result.summary.resourceChanges, { same: 3, create: 1 }, "pulumi up after the revocation");
  run.print.item("✓", "retail registered again", "green");
}

/** The policy pack through the real engine and analyzer: a mandatory violation fails the preview. */
async function policyPack(run: DemoRun): Promise<void> {
  const launcher = policyPackLauncher(projectCopy(run, "policy-pack"));
  run.print.item(
    "•",
    "without a nodejs language host the CLI cannot start a pack directory; it is given the pack's launcher " +
      `(${basename(launcher)}, engine/install.ts)`,
  );
  const failed = await showFailure(
    run,
    "data-delivery",
    "pulumi preview --policy-pack ../policy-pack",
    stackOf(run, "data-delivery").preview({ policyPacks: [launcher], diff: false }),
  );
  const found = violations(failed.events);
  expect(
    exitCode(failed) === 1 &&
      found.includes("mandatory data-delivery-credential-validated — lld-gcs") &&
      found.includes("advisory azure-sas-token-expiry — lld-azure"),
    "the pack to report data-delivery-credential-validated (mandatory, lld-gcs) and azure-sas-token-expiry " +
      "(advisory, lld-azure), and the preview to exit 1",
    found.length === 0 ? "no violation" : found.join("; "),
  );
  for (const violation of found) {
    const mandatory = violation.startsWith("mandatory");
    run.print.item(mandatory ? "✗" : "!", violation, mandatory ? "red" : "yellow");
  }
  run.print.item("✓", "the mandatory violation fails the preview (exit code 1); the advisory one only warns", "green");

  const clean = await show(
    run,
    "commercelayer",
    "pulumi preview --policy-pack ../policy-pack",
    stackOf(run, "commercelayer").preview({ policyPacks: [launcher], diff: false }),
  );
  const mandatory = violations(clean.events).filter((v) => v.startsWith("mandatory"));
  expect(mandatory.length === 0, "the commercelayer stack to pass the pack", mandatory.join("; "));
  run.print.item("✓", "commercelayer passes the pack", "green");
}

/** Destroys the four stacks; what is left on the platforms is what the docs say stays. */
async function destroy(run: DemoRun): Promise<void> {
  for (const name of ["consumer", ...CREDENTIAL_EXAMPLES] as const) {
    const result = await show(run, name, "pulumi destroy", stackOf(run, name).destroy(), { outputs: false });
    // The consumer's three StackReference reads are discarded from its state, not deleted.
    const wanted: Record<string, number> = name === "consumer" ? { delete: 1, discard: 3 } : { delete: 4 };
    expectCounts(result.result.summary.resourceChanges, wanted, `pulumi destroy of ${name}`);
  }
  const state = run.emulator.state() as {
    interchange: { sourceCredentials: unknown[]; advertisers: { id: string; credentials: unknown[] }[] };
    commercelayer: { apiCredentials: unknown[] };
  };
  const deliveryLeft = state.interchange.advertisers.find((a) => a.id === "12345")?.credentials.length;
  run.print.item("•", `Commerce Layer API credentials left: ${state.commercelayer.apiCredentials.length}`);
  run.print.item("•", `data-delivery credentials left on advertiser 12345: ${String(deliveryLeft)}`);
  run.print.item(
    "•",
    `storefront source registrations left: ${state.interchange.sourceCredentials.length} — Interchange has no ` +
      "revoke (`revocation: manual`); revoke them in the web app",
  );
  expect(
    state.commercelayer.apiCredentials.length === 0 && deliveryLeft === 0,
    "destroy to delete every Commerce Layer and data-delivery credential",
    `${state.commercelayer.apiCredentials.length} and ${String(deliveryLeft)} left`,
  );
}

/** Prints the command, runs it (a spinner on a TTY), prints what the CLI printed; a failure propagates. */
async function show<R extends { stdout: string }>(
  run: DemoRun,
  where: string,
  command: string,
  outcome: Promise<CommandOutcome<R>>,
  view: { outputs?: boolean } = {},
): Promise<CommandOutcome<R>> {
  run.print.command(command, where);
  run.print.waiting(`${command} (${where})`);
  const done = await outcome;
  run.print.output(terminalView(done.result.stdout, view));
  return done;
}

/** Like {@link show} for a command that must fail: resolves to its error, after printing what the CLI printed. */
async function showFailure(
  run: DemoRun,
  where: string,
  command: string,
  outcome: Promise<unknown>,
): Promise<StackCommandError> {
  run.print.command(command, where);
  run.print.waiting(`${command} (${where})`);
  try {
    await outcome;
  } catch (error) {
    if (!(error instanceof StackCommandError)) throw error;
    run.print.output(terminalView(cliText(error)));
    return error;
  }
  throw new DemoExpectationError(`expected \`${command}\` in ${where} to fail, and it succeeded`);
}

/** What the CLI printed for a failed command (the Automation API puts all of it in the error's stderr). */
function cliText(error: StackCommandError): string {
  return error.stdout !== "" ? `${error.stderr}\n${error.stdout}` : error.stderr;
}

/** The exit code of a failed command, from the Automation API's "Command failed with exit code N". */
function exitCode(error: StackCommandError): number | undefined {
  const match = /Command failed with exit code (\d+)/.exec(`${error.stderr}\n${error.message}`);
  return match === null ? undefined : Number(match[1]);
}

/** Policy violations of a command's engine events: `<level> <policy> — <resource>`. */
function violations(events: readonly automation.EngineEvent[]): string[] {
  return events.flatMap((event) => {
    const policy = event.policyEvent;
    if (policy === undefined) return [];
    const level = String(policy.enforcementLevel);
    return [`${level} ${policy.policyName} — ${policy.resourceUrn ? resourceName(policy.resourceUrn) : "stack"}`];
  });
}

/** One resource of `pulumi stack export`. */
interface DeployedResource {
  urn: string;
  type: string;
  id?: string;
  outputs?: Record<string, unknown>;
  initErrors?: string[];
}

function resourcesOf(deployment: automation.Deployment): DeployedResource[] {
  return (deployment.deployment as { resources?: DeployedResource[] }).resources ?? [];
}

function resourceNamed(deployment: automation.Deployment, name: string): DeployedResource {
  const found = resourcesOf(deployment).find((r) => resourceName(r.urn) === name);
  if (found === undefined) throw new DemoExpectationError(`expected resource ${name} in the exported state`);
  return found;
}

/** Whether a value of an exported state is an encrypted secret. */
function isEncryptedSecret(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === "object" &&
    (value as Record<string, unknown>)["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270" &&
    typeof (value as Record<string, unknown>)["ciphertext"] === "string"
  );
}

/** Remembers every string inside a revealed secret output (long enough to be a value, not a word). */
function addSecretValues(run: DemoRun, value: unknown): void {
  if (typeof value === "string" && value.length >= 8) run.secrets.add(value);
  else if (value !== null && typeof value === "object") {
    for (const inner of Object.values(value)) addSecretValues(run, inner);
  }
}

/** A per-stack copy of a shipped example (`pulumi config set` writes Pulumi.dev.yaml into the project). */
function projectCopy(run: DemoRun, example: string): string {
  return copyProject(run.installed, run.installed.example(example), projectCopyDir(run, example));
}

function projectCopyDir(run: DemoRun, example: string): string {
  return join(run.session.dir, "projects", example);
}

function stackOf(run: DemoRun, name: CredentialExample | "consumer"): ProjectStack {
  const stack = run.stacks.get(name);
  if (stack === undefined) throw new DemoExpectationError(`the ${name} stack is not open`);
  return stack;
}

function cliSource(cli: PulumiCli): string {
  const sources: Record<PulumiCli["source"], string> = {
    PULUMI_CLI: "from PULUMI_CLI",
    PATH: "on PATH",
    cache: "built from Go modules earlier, cached",
    built: "just built from Go modules",
  };
  return sources[cli.source];
}

/** A SAS query string in the emulator's accepted shape, expiring in `days` days (fake signature). */
function demoSasToken(days: number): string {
  const expiry = new Date(Date.now() + days * 24 * 60 * 60 * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  return `sv=2022-11-02&sr=c&sp=cwd&se=${expiry}&sig=demo-placeholder-signature`;
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

/** Fails unless the engine's change counts are exactly `wanted`. */
function expectCounts(got: Record<string, number> | undefined, wanted: Record<string, number>, what: string): void {
  const text = (counts: Record<string, number> | undefined) =>
    JSON.stringify(Object.fromEntries(Object.entries(counts ?? {}).sort(([a], [b]) => a.localeCompare(b))));
  expect(text(got) === text(wanted), `${what} to count ${text(wanted)}`, text(got));
}

function expect(ok: boolean, wanted: string, got: string): void {
  if (!ok) throw new DemoExpectationError(`expected ${wanted}, got ${got}`);
}

function resourceName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

function errorText(error: unknown): string {
  if (error instanceof StackCommandError) {
    const said = terminalView(cliText(error)).split("\n").slice(-30).join("\n");
    return `a pulumi command failed (exit code ${String(exitCode(error))}); it printed:\n${said}`;
  }
  return error instanceof Error ? error.message : String(error);
}
