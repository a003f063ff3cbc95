/**
 * The provider objects Pulumi serializes into every dynamic resource (`__provider`). Each method captures
 * nothing but its resource kind and loads the implementation at call time by package specifier, resolved from the
 * Pulumi project's node_modules (ENGINE-NOTES, "Serialization of the provider object"). So the serialized text is
 * small, contains no secret and no path of the build machine, and does not change between package versions: an
 * upgrade changes no resource, and `refresh`/`destroy` run the installed code, not code frozen in state.
 *
 * Do not import anything into the method bodies or use `this`: everything a method references is serialized.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";

/* eslint-disable @typescript-eslint/no-require-imports -- run-time loading by specifier is the point */
function shim(kind: string): dynamic.ResourceProvider {
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

/**
 * One shared provider object per resource kind (the SDK caches serialization per instance: sharing keeps
 * previews of many resources fast).
 */
export const shims = {
  storefrontSourceCredential: shim("interchange:StorefrontSourceCredential"),
  dataDeliveryCredential: shim("interchange:DataDeliveryCredential"),
  apiCredential: shim("commercelayer:ApiCredential"),
} as const;
