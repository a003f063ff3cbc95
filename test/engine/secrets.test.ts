/** The engine's secret marks: how they are applied to outputs and converted to and from Pulumi's RPC encoding. */
import { describe, expect, it } from "vitest";
import {
  decodeSecretSignatures,
  encodeSecretSignatures,
  isSecret,
  reveal,
  RPC_SECRET_SIGNATURE,
  RPC_SIGNATURE_KEY,
  Secret,
} from "../../engine/secrets";

describe("secret values", () => {
  it("reveal removes every mark at any depth", () => {
    expect(reveal({ a: new Secret({ b: [new Secret("c")] }) })).toEqual({ a: { b: ["c"] } });
  });

  it("print as [secret] in strings and JSON", () => {
    const secret = new Secret("hunter2");
    expect(`${secret}`).toBe("[secret]");
    expect(JSON.stringify({ secret })).toBe('{"secret":"[secret]"}');
    expect(isSecret(secret)).toBe(true);
    expect(isSecret({ value: "hunter2" })).toBe(false);
  });

  it("round-trip through the RPC encoding, dropping undefined fields", () => {
    const encoded = encodeSecretSignatures({ a: new Secret("x"), b: undefined, c: [1, new Secret({ d: 2 })] });
    expect(encoded).toEqual({
      a: { [RPC_SIGNATURE_KEY]: RPC_SECRET_SIGNATURE, value: "x" },
      c: [1, { [RPC_SIGNATURE_KEY]: RPC_SECRET_SIGNATURE, value: { d: 2 } }],
    });
    expect(decodeSecretSignatures(JSON.parse(JSON.stringify(encoded)))).toEqual({
      a: new Secret("x"),
      c: [1, new Secret({ d: 2 })],
    });
  });
});
