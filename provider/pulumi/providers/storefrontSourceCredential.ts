/**
 * The provider object of `interchange:StorefrontSourceCredential` resources, as this module's whole export: Pulumi's serializer captures a
 * module loaded from node_modules by its specifier, so each resource's `__provider` is only a
 * `require("pulumi-platform-credentials/dist/provider/pulumi/providers/storefrontSourceCredential")` of this module. The
 * specifier is part of every stack's state: never move or rename this file.
 */
import { resourceKinds } from "../../kinds";
import { shim } from "./shim";

export = shim(resourceKinds.storefrontSourceCredential);
