/**
 * A malformed Scope3 API key (not `scope3_<client_id>_<secret>`) is refused where the key is resolved, naming the
 * config key or environment variable and the expected shape, and never quoting the key nor any part of it; the
 * dynamic adapter's `check` reports it at preview, before any request. Needs `npm run build`.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigurationError, declaredAccounts, resolveSettings } from "../../provider/config";
import { EMULATOR_INTERCHANGE_KEYS } from "../../emulator/seed";

/* eslint-disable @typescript-eslint/no-require-imports */
const adapter = require("../../dist/provider/pulumi/adapter") as typeof import("../../provider/pulumi/adapter");
/* eslint-enable @typescript-eslint/no-require-imports */

const hex = (n: number) => randomBytes(n).toString("hex");
const values = (map: Record<string, string>) => (key: string) => map[key];

/** Every run-of-6 piece of `secret`, so a partial echo is caught too. */
function pieces(secret: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 6 <= secret.length; i++) out.push(secret.slice(i, i + 6));
  return out.filter((p) => !"scope3_".includes(p) && !/^_+$/.test(p));
}

function refusal(run: () => unknown): ConfigurationError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigurationError);
    return err as ConfigurationError;
  }
  throw new Error("expected a ConfigurationError");
}

const malformed: [string, string, string][] = [
  ["no scope3_ prefix", `sk_${hex(12)}`, 'it does not start with "scope3_"'],
  ["no secret part", `scope3_${hex(8)}`, "it lacks the <client_id>_<secret> parts after scope3_"],
  ["an empty secret", `scope3_${hex(8)}_`, "it lacks the <client_id>_<secret> parts after scope3_"],
  ["a line break inside", `scope3_${hex(6)}_${hex(6)}\n${hex(6)}`, "it holds spaces or line breaks"],
  ["a quote pasted along", `scope3_${hex(6)}_${hex(6)}"`, "it holds characters a key never has"],
];

describe("the Scope3 API key's shape", () => {
  it.each(malformed)("refuses a key with %s from stack config, naming the key and the shape", (_name, key, why) => {
    const err = refusal(() => resolveSettings(values({ "interchange:apiKey": key }), {}));
    expect(err.message).toContain(`The interchange:apiKey stack config is not a Scope3 API key: ${why}`);
    expect(err.message).toContain("scope3_<client_id>_<secret>");
    expect(err.message).toContain("`pulumi config set --secret interchange:apiKey <value>` or the SCOPE3_API_KEY");
    for (const piece of pieces(key.trim())) expect(err.message).not.toContain(piece);
  });

  it("names the environment variable when the key comes from there", () => {
    const key = `scope3-${hex(12)}`;
    const err = refusal(() => resolveSettings(() => undefined, { SCOPE3_API_KEY: key }));
    expect(err.message).toContain("The SCOPE3_API_KEY environment variable is not a Scope3 API key");
    for (const piece of pieces(key)) expect(err.message).not.toContain(piece);
  });

  it("names the account's config key for a named account", () => {
    const key = `scope3_${hex(8)}`;
    const accounts = JSON.stringify({ globex: { interchangeApiKey: key } });
    const err = refusal(() => declaredAccounts(values({ "platform-credentials:accounts": accounts })));
    expect(err.message).toContain(
      "The platform-credentials:accounts.globex.interchangeApiKey stack config is not a Scope3 API key",
    );
    for (const piece of pieces(key)) expect(err.message).not.toContain(piece);
  });

  it("accepts well-formed keys, the emulator's seed keys among them", () => {
    for (const key of [...Object.values(EMULATOR_INTERCHANGE_KEYS), `scope3_acme_${hex(12)}`, "scope3_a1_b-2_c"]) {
      expect(resolveSettings(values({ "interchange:apiKey": key }), {}).interchange.apiKey).toBe(key);
    }
  });

  it("is a check failure of every resource of the default account at preview, before any request", async () => {
    const key = `scope3_${hex(10)}`;
    const raw = { "interchange:apiKey": key };
    await adapter.configure({ config: { rawConfig: raw, get: (k: string) => raw[k as keyof typeof raw] } } as never);
    const result = await adapter.check(
      "interchange:StorefrontSourceCredential",
      {},
      { storefrontId: 101, sourceId: "src_apikey", accountIdentifier: "acme-buyer-1", auth: {} },
    );
    expect(result.failures).toHaveLength(1);
    expect(result.failures?.[0]?.reason).toContain("The interchange:apiKey stack config is not a Scope3 API key");
    expect(JSON.stringify(result.failures)).not.toContain(key.slice(7));
    const good = { "interchange:apiKey": EMULATOR_INTERCHANGE_KEYS.acme };
    await adapter.configure({ config: { rawConfig: good, get: (k: string) => good[k as keyof typeof good] } } as never);
  });
});
