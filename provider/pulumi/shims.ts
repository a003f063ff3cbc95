/**
 * The provider objects Pulumi serializes into every dynamic resource (`__provider`), one per resource kind, each the
 * whole export of its own module under providers/. The serializer captures a module loaded from node_modules by its
 * package specifier, so the serialized text is a few hundred bytes holding one `require` of the module: no
 * secret, no path of the build machine, and the same in every package version, so an upgrade changes no resource and
 * `refresh`/`destroy` run the installed code, not code frozen in state. Sharing one object per kind also lets the
 * SDK serialize it once (it caches per instance).
 *
 * Stacks written by 0.1.0 carry the previous text, which inlined the methods and calls adapter.ts's functions with
 * the kind (`check(kind, olds, news)` …): adapter.ts keeps that module path and those signatures for them.
 */
import apiCredential from "./providers/apiCredential";
import dataDeliveryCredential from "./providers/dataDeliveryCredential";
import storefrontSourceCredential from "./providers/storefrontSourceCredential";

/** The provider object of each resource kind, by the SDK classes' names for them. */
export const shims = {
  storefrontSourceCredential,
  dataDeliveryCredential,
  apiCredential,
} as const;
