/**
 * terminalView: the Pulumi CLI's non-interactive output reduced to what an interactive terminal shows once the command
 * is over (the demo prints it under each command).
 */
import { describe, expect, it } from "vitest";
import { terminalView } from "../../demo/terminal";

const UP = [
  "Command failed with exit code 1: /tmp/s/cli/bin/pulumi up --yes --client=127.0.0.1:1 --stack dev",
  "Updating (dev):",
  "",
  " +  pulumi:pulumi:Stack consumer-dev creating (0s) ",
  "@ updating....",
  " +  pulumi:pulumi:Stack consumer-dev creating (0s) read pulumi:pulumi:StackReference organization/a/dev",
  " +  pulumi:pulumi:Stack consumer-dev creating (1s) read pulumi:pulumi:StackReference organization/a/dev",
  " ~  pulumi-nodejs:dynamic/x:Y lld-s3 updating (0s) [diff: ~destination]; error: 1 error occurred:",
  " ~  pulumi-nodejs:dynamic/x:Y lld-s3 **updating failed** [diff: ~destination]; error: 1 error occurred:",
  "    pulumi:pulumi:Stack consumer-dev running error: update failed",
  " +  pulumi:pulumi:Stack consumer-dev created (1s) ",
  "Outputs:",
  "    a: {",
  "        b: [unknown]",
  "    }",
  "    c: {",
  "        d: [unknown]",
  "    }",
  "",
  "",
  "Resources:",
  "    + 1 created",
  "    <{%fg 1%}>1 errored<{%reset%}>",
  "",
].join("\n");

describe("terminalView", () => {
  it("drops progress lines, the Automation API's command line and colour tags; keeps each StackReference read once", () => {
    expect(terminalView(UP).split("\n")).toEqual([
      "Updating (dev):",
      "",
      " +  pulumi:pulumi:Stack consumer-dev creating (0s) read pulumi:pulumi:StackReference organization/a/dev",
      " ~  pulumi-nodejs:dynamic/x:Y lld-s3 **updating failed** [diff: ~destination]; error: 1 error occurred:",
      " +  pulumi:pulumi:Stack consumer-dev created (1s)",
      "Outputs:",
      "    a: {",
      "        b: [unknown]",
      "    }",
      "    c: {",
      "        d: [unknown]",
      "    }",
      "",
      "Resources:",
      "    + 1 created",
      "    1 errored",
    ]);
  });

  it("leaves out the Outputs block when asked", () => {
    expect(terminalView(UP, { outputs: false })).not.toContain("Outputs:");
    expect(terminalView(UP, { outputs: false })).toMatch(/created \(1s\)\n\nResources:\n {4}\+ 1 created\n/);
  });
});
