/**
 * The provider processes' V8 tuning (provider/processTuning.ts): which flags a process gets, and that the modules
 * the engine loads (the dynamic-provider adapter, the plugin entry) apply it before anything loads undici.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LIFTOFF_ONLY_FLAG, providerProcessFlags } from "../../provider/processTuning";

const root = join(__dirname, "..", "..");

describe("providerProcessFlags", () => {
  it("compiles WebAssembly with Liftoff only by default", () => {
    expect(providerProcessFlags([], undefined)).toEqual([LIFTOFF_ONLY_FLAG]);
    expect(providerProcessFlags(["--enable-source-maps"], "--max-old-space-size=256 --require x.js")).toEqual([
      LIFTOFF_ONLY_FLAG,
    ]);
  });

  it("leaves V8 alone when the user chose a WebAssembly or Liftoff flag themselves", () => {
    for (const [argv, env] of [
      [["--no-liftoff"], undefined],
      [[], "--wasm-tier-up"],
      [[], "--max-old-space-size=256  --no-wasm-tier-up"],
      [["--liftoff-only"], ""],
    ] as const) {
      expect(providerProcessFlags(argv, env), `${argv.join(" ")} | ${env}`).toEqual([]);
    }
  });
});

describe("the engine-loaded modules tune first", () => {
  it.each(["provider/pulumi/adapter.js", "provider/plugin/main.js"])(
    "%s requires processTuning before all else",
    (file) => {
      const text = readFileSync(join(root, "dist", file), "utf8");
      const requires = [...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
      expect(requires[0]).toBe("../processTuning");
    },
  );

  // A WebAssembly function called often, then V8's own answer on how it is compiled (natives syntax), polled until
  // it is optimized or `waitMs` passed. `(func (export "f") (param i32) (result i32) local.get 0 i32.const 1 i32.add)`.
  const probe = (preload: string | undefined, waitMs: number) => `
    ${preload ? `require(${JSON.stringify(preload)});` : ""}
    const bytes = new Uint8Array([0,97,115,109,1,0,0,0,1,6,1,96,1,127,1,127,3,2,1,0,7,5,1,1,102,0,0,10,9,1,7,0,32,0,65,1,106,11]);
    const f = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.f;
    let x = 0; for (let i = 0; i < 2e6; i++) x = f(x);
    const until = Date.now() + ${waitMs};
    const look = () => {
      const turbofan = %IsTurboFanFunction(f);
      if (turbofan || Date.now() > until) console.log(JSON.stringify({ liftoff: %IsLiftoffFunction(f), turbofan }));
      else { x = f(x); setTimeout(look, 20); }
    };
    look();`;
  const run = (script: string) =>
    JSON.parse(
      execFileSync(process.execPath, ["--allow-natives-syntax", "-e", script], {
        encoding: "utf8",
        env: { ...process.env, NODE_OPTIONS: "" },
      }),
    ) as { liftoff: boolean; turbofan: boolean };

  it("loading the adapter keeps WebAssembly on Liftoff in a real Node process, where it is optimized otherwise", () => {
    // Without the adapter this Node optimizes the hot function (so the check below can fail)...
    expect(run(probe(undefined, 20_000))).toEqual({ liftoff: false, turbofan: true });
    // ...and after loading it, the same function is still Liftoff's code two seconds on.
    expect(run(probe(join(root, "dist/provider/pulumi/adapter.js"), 2_000))).toEqual({
      liftoff: true,
      turbofan: false,
    });
  });
});
