// A policy pack made of the policies that pulumi-platform-credentials exports. The policies live in the package,
// not here: a PolicyPack starts its gRPC server when constructed (one per process), so this file only composes them.
import { PolicyPack } from "@pulumi/policy";
import { allPolicies } from "pulumi-platform-credentials/policies";

new PolicyPack("platform-credentials", {
  description: "Checks Scope3 Interchange and Commerce Layer API credentials managed with pulumi-platform-credentials.",
  policies: [
    ...allPolicies,
    // Add your own policies here, or pick single ones instead of allPolicies, e.g. azureSasTokenExpiry (imported from "pulumi-platform-credentials/policies").
  ],
});
