/**
 * The methods of a resource kind's provider object (one module per kind beside this one exports the result).
 *
 * Where the package is not under node_modules, Pulumi's serializer copies the object by value instead of by
 * specifier: so the methods capture nothing but the kind's name, and load the adapter by package specifier at call
 * time (never an import here, never `this`: everything a method references would be serialized).
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";

/* eslint-disable @typescript-eslint/no-require-imports -- run-time loading by specifier is the point */
/** A provider object whose methods hand `kind` to the adapter (provider/pulumi/adapter.ts) loaded at call time. */
export function shim(kind: string): dynamic.ResourceProvider {
  return {
    configure(req) {
      return require("pulumi-platform-credentials/dist/provider/pulumi/adapter").configure(req);
    },
    check(olds, news) {
      return require("pulumi-platform-credentials/dist/provider/pulumi/adapter").check(kind, olds, news);
    },
    diff(id, olds, news) {
      return require("pulumi-platform-credentials/dist/provider/pulumi/adapter").diff(kind, id, olds, news);
    },
    create(inputs) {
      return require("pulumi-platform-credentials/dist/provider/pulumi/adapter").create(kind, inputs);
    },
    read(id, props) {
      return require("pulumi-platform-credentials/dist/provider/pulumi/adapter").read(kind, id, props);
    },
    update(id, olds, news) {
      return require("pulumi-platform-credentials/dist/provider/pulumi/adapter").update(kind, id, olds, news);
    },
    delete(id, props) {
      return require("pulumi-platform-credentials/dist/provider/pulumi/adapter").remove(kind, id, props);
    },
  };
}
/* eslint-enable @typescript-eslint/no-require-imports */
