/**
 * The Pulumi program the benchmarks run under mocks to obtain what the engine would store: one resource of each
 * kind of this package, the naive peer resource, and the no-op floor resource. Inputs mirror the emulator's default seed.
 */
import * as pulumi from "pulumi-platform-credentials";
import { secret } from "@pulumi/pulumi";
import { NaiveApiCredential } from "./naive/apiCredentialProvider";
import { NoopApiCredential } from "./floor/noopProvider";

new pulumi.interchange.StorefrontSourceCredential("bench-source", {
  storefrontId: 101,
  sourceId: "src_apikey",
  accountIdentifier: "bench-account",
  auth: { type: "apiKey", token: secret("bench-source-token") },
});

new pulumi.interchange.DataDeliveryCredential("bench-delivery", {
  advertiserId: "12345",
  name: "bench-lld",
  destination: { type: "GCS", bucket: "acme-bench-lld" },
});

new pulumi.commercelayer.ApiCredential("bench-integration", {
  organizationId: "BlueBrnd01",
  name: "bench-integration",
  kind: "integration",
  roleId: "BlueRead01",
});

new NaiveApiCredential("bench-naive", {
  organizationId: "BlueBrnd01",
  name: "bench-naive",
  kind: "integration",
  roleId: "BlueRead01",
});

new NoopApiCredential("bench-floor", {
  organizationId: "BlueBrnd01",
  name: "bench-floor",
  kind: "integration",
  roleId: "BlueRead01",
});
