/**
 * The generated Python and Go SDKs used by real programs (test/sdks/python/lifecycle.py, test/sdks/go/main.go)
 * through the real `pulumi` CLI and engine, with the provider plugin of the installed package
 * (`pulumi-resource-platform-credentials`, found through `plugins.providers` in Pulumi.yaml) against the emulator:
 * up → empty preview → update in place → refresh → destroy of one resource of each kind through an explicit provider,
 * secrets encrypted in the exported state and never printed. The Python SDK is `pip install`ed into a venv with
 * `pulumi` from PyPI; the Go program is built against sdk/go with a `replace` directive.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { cacheDir } from "../../engine/cli";
import {
  COMMERCE_LAYER_CLIENT_ID,
  expectNoPlaintextSecrets,
  isEncryptedSecret,
  resourceNamed,
  secretValues,
  useE2E,
} from "./support";

const execFileAsync = promisify(execFile);
const root = resolve(__dirname, "..", "..");
const PLUGIN = "pulumi-resource-platform-credentials";

/** Hash of every file under the given paths (relative to the repository), to key caches by content. */
function contentHash(...paths: string[]): string {
  const hash = createHash("sha256");
  const walk = (path: string) => {
    if (statSync(path).isDirectory()) for (const entry of readdirSync(path).sort()) walk(join(path, entry));
    else hash.update(relative(root, path)).update(readFileSync(path));
  };
  for (const path of paths) walk(join(root, path));
  return hash.digest("hex").slice(0, 16);
}

/** A venv with `pulumi` from PyPI and the generated SDK pip-installed, cached per content (built atomically). */
async function pythonWithSdk(): Promise<string> {
  const venv = join(cacheDir(), `python-sdk-venv-${contentHash("sdk/python", "test/sdks/python/requirements.txt")}`);
  const python = join(venv, "bin", "python");
  if (existsSync(python)) return python;
  const partial = `${venv}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  await execFileAsync("python3", ["-m", "venv", partial]);
  const pip = join(partial, "bin", "pip");
  const quiet = ["--quiet", "--disable-pip-version-check"];
  await execFileAsync(pip, ["install", ...quiet, "-r", join(root, "test/sdks/python/requirements.txt")], {
    timeout: 600_000,
  });
  // From a copy: building the package in place would leave build/ and *.egg-info in sdk/python, which the generated
  // SDK check (test/sdks/generated.test.ts) would then find there.
  const source = `${partial}-sdk`;
  cpSync(join(root, "sdk/python"), source, { recursive: true });
  try {
    await execFileAsync(pip, ["install", ...quiet, source], { timeout: 600_000 });
  } finally {
    rmSync(source, { recursive: true, force: true });
  }
  rmSync(venv, { recursive: true, force: true });
  renameSync(partial, venv);
  return python;
}

/** The Go program built against sdk/go. */
async function goProgram(into: string): Promise<string> {
  const binary = join(into, "lifecycle-go");
  await execFileAsync("go", ["build", "-o", binary, "."], {
    cwd: join(root, "test/sdks/go"),
    env: { ...process.env, GOFLAGS: "-buildvcs=false -mod=readonly" },
    timeout: 900_000,
  });
  return binary;
}

interface Answer {
  command: string;
  stdout?: string;
  summary?: Record<string, number>;
  changeSummary?: Record<string, number>;
  outputs?: Record<string, { value: unknown; secret: boolean }>;
  error?: string;
}

describe.sequential.each(["python", "go"] as const)("the generated %s SDK through the real pulumi CLI", (language) => {
  const e2e = useE2E();
  let run: (command: string, config?: Record<string, { value: string; secret?: boolean }>) => Promise<Answer>;
  let projectDir: string;
  const printed: string[] = [];

  beforeAll(async () => {
    const pluginDir = join(e2e.installed.root, "node_modules", "pulumi-platform-credentials", "bin");
    expect(existsSync(join(pluginDir, PLUGIN)), `${PLUGIN} is not in the installed package`).toBe(true);
    projectDir = join(e2e.session.dir, `${language}-sdk`);
    mkdirSync(projectDir, { recursive: true });
    writeFileSync(
      join(projectDir, "Pulumi.yaml"),
      `name: ${language}-sdk\nruntime: ${language}\nplugins:\n  providers:\n    - name: platform-credentials\n      path: ${pluginDir}\n`,
    );
    const executable = language === "python" ? await pythonWithSdk() : await goProgram(e2e.session.dir);
    const args = language === "python" ? [join(root, "test/sdks/python/lifecycle.py")] : [];
    const config = {
      "lifecycle:interchangeBaseUrl": { value: e2e.emulator.interchangeUrl },
      "lifecycle:interchangeApiKey": { value: e2e.secrets.interchangeApiKey, secret: true },
      "lifecycle:commerceLayerBaseUrl": { value: e2e.emulator.commerceLayerApiUrl },
      "lifecycle:commerceLayerAuthUrl": { value: e2e.emulator.commerceLayerAuthUrl },
      "lifecycle:commerceLayerClientId": { value: COMMERCE_LAYER_CLIENT_ID },
      "lifecycle:commerceLayerClientSecret": { value: e2e.secrets.commerceLayerClientSecret, secret: true },
      "lifecycle:accountIdentifier": { value: `${language}-buyer` },
      "lifecycle:displayToken": { value: e2e.secrets.displayApiKey, secret: true },
      "lifecycle:sasToken": { value: e2e.secrets.azureSasToken, secret: true },
      "lifecycle:azureContainer": { value: "lld-exports" },
      "lifecycle:erpName": { value: `ERP sync (${language})` },
    };
    run = async (command, overrides = {}) => {
      const requestFile = join(e2e.session.dir, `${language}-request.json`);
      writeFileSync(
        requestFile,
        JSON.stringify({
          projectDir,
          stackName: "dev",
          cliRoot: e2e.session.cliRoot,
          env: e2e.session.env,
          config: { ...config, ...overrides },
          command,
        }),
      );
      const { stdout, stderr } = await execFileAsync(executable, [...args, requestFile], {
        cwd: projectDir,
        env: e2e.session.env,
        maxBuffer: 64 * 1024 * 1024,
        timeout: 300_000,
      });
      printed.push(stdout, stderr);
      const answer = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as Answer;
      if (answer.error !== undefined) throw new Error(`${language} ${command} failed: ${answer.error}`);
      return answer;
    };
  }, 20 * 60_000);

  it("up creates one resource of each kind through an explicit provider; secret outputs stay secret", async () => {
    const up = await run("up");
    expect(up.summary).toEqual({ create: 5 });
    expect(up.outputs?.["displayStatus"]).toEqual({ value: "ACTIVE", secret: false });
    expect(up.outputs?.["azureStatus"]).toEqual({ value: "VALIDATED", secret: false });
    expect(up.outputs?.["azureExpiresAt"]?.value).toBe("2030-01-01T00:00:00.000Z");
    expect(up.outputs?.["erpClientSecret"]?.secret).toBe(true);
    expect(up.outputs?.["erpName"]?.value).toBe(`ERP sync (${language})`);
    // The role came from the getRole provider function; the sources from getStorefront.
    expect(up.outputs?.["erpRoleId"]).toEqual({ value: "BlueRead01", secret: false });
    expect(up.outputs?.["storefrontSources"]?.value).toEqual([
      "src_apikey:api_key",
      "src_jwt:jwt",
      "src_basic:basic",
      "src_oauth:oauth",
      "src_none:none",
      "src_house:none",
    ]);
    const stored = (await e2e.admin("GET", "/state")) as {
      commercelayer: { apiCredentials: { name: string; clientSecret: string }[] };
    };
    const erp = stored.commercelayer.apiCredentials.find((c) => c.name === `ERP sync (${language})`);
    expect(up.outputs?.["erpClientSecret"]?.value).toBe(erp?.clientSecret);
  });

  it("a second preview shows no changes", async () => {
    const preview = await run("preview");
    expect(preview.changeSummary).toEqual({ same: 5 });
  });

  it("a new name updates the Commerce Layer credential in place; refresh keeps the state", async () => {
    const up = await run("up", { "lifecycle:erpName": { value: `ERP sync v2 (${language})` } });
    expect(up.summary).toEqual({ same: 4, update: 1 });
    expect(up.outputs?.["erpName"]?.value).toBe(`ERP sync v2 (${language})`);
    const refresh = await run("refresh", { "lifecycle:erpName": { value: `ERP sync v2 (${language})` } });
    expect(refresh.summary).toEqual({ same: 5 });
  });

  it("keeps every secret encrypted in the exported state", async () => {
    const exported = await e2e.session.run(["stack", "export", "--stack", "dev"], { cwd: projectDir });
    expect(exported.code, exported.stderr).toBe(0);
    const deployment = JSON.parse(exported.stdout) as Parameters<typeof resourceNamed>[0];
    const display = resourceNamed(deployment, "display");
    expect(
      isEncryptedSecret((display.inputs?.["auth"] as Record<string, unknown>)["token"] ?? display.inputs?.["auth"]),
    ).toBe(true);
    const azure = resourceNamed(deployment, "lld-azure");
    expect(isEncryptedSecret((azure.outputs?.["destination"] as Record<string, unknown>)["sasToken"])).toBe(true);
    expect(isEncryptedSecret(resourceNamed(deployment, "erp").outputs?.["clientSecret"])).toBe(true);
    const secrets = secretValues(e2e.secrets);
    expectNoPlaintextSecrets([exported.stdout], secrets, "the exported state");
    expectNoPlaintextSecrets(printed, secrets, `what the ${language} program printed`);
  });

  it("destroy deletes what the platforms can delete", async () => {
    const destroy = await run("destroy", { "lifecycle:erpName": { value: `ERP sync v2 (${language})` } });
    expect(destroy.summary).toEqual({ delete: 5 });
    const state = (await e2e.admin("GET", "/state")) as { commercelayer: { apiCredentials: unknown[] } };
    expect(state.commercelayer.apiCredentials).toEqual([]);
    expect((await e2e.storedDataDelivery("12345")).map((c) => c.name)).toEqual([]);
  });
});
