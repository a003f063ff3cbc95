/**
 * Interchange administration routes, mounted by the server under `/_emulator/interchange`: the things a person or
 * the platform does out of band (OAuth consent, revoking a credential in the web app, removing a bucket grant,
 * accepting the Terms of Service) and the behaviour switches (settings).
 */
import { z } from "zod";
import type { EmulatorRequest, EmulatorResponse, EmulatorRoute } from "../framework";
import { dataDeliveryCredential } from "./advertisers";
import { WAREHOUSE_TYPES, interchangeSettingsSchema, type DataDeliveryCredentialRecord } from "./model";
import { buyerCredential, findForConsent, grantConsent } from "./sourceCredentials";
import type { InterchangeStore } from "./store";

function adminError(status: number, code: string, message: string): EmulatorResponse {
  return { status, json: { error: { code, message } } };
}

class AdminFailure extends Error {
  constructor(readonly response: EmulatorResponse) {
    super("administration request refused");
  }
}

function parseBody<T>(req: EmulatorRequest, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = req.body.length === 0 ? {} : JSON.parse(req.body.toString("utf8"));
  } catch {
    throw new AdminFailure(adminError(400, "BAD_REQUEST", "The request body is not valid JSON."));
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const message = parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
    throw new AdminFailure(adminError(400, "VALIDATION_ERROR", message));
  }
  return parsed.data;
}

function adminRoute(
  method: string,
  template: string,
  handle: (req: EmulatorRequest) => EmulatorResponse,
): EmulatorRoute {
  return {
    method,
    template,
    handle(req) {
      try {
        return handle(req);
      } catch (err) {
        if (err instanceof AdminFailure) return err.response;
        throw err;
      }
    },
  };
}

const consentBody = z
  .object({ credentialId: z.string().min(1).optional(), authorizationUrl: z.string().min(1).optional() })
  .strict()
  .refine((b) => (b.credentialId === undefined) !== (b.authorizationUrl === undefined), {
    message: "send exactly one of credentialId or authorizationUrl",
  });

const destinationBody = z.object({ destination: z.string().min(1), granted: z.boolean() }).strict();
const tosBody = z.object({ customer: z.string().min(1), accepted: z.boolean() }).strict();
const warehouseBody = z
  .object({
    name: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]*$/),
    type: z.enum(WAREHOUSE_TYPES),
    /** Any string fields shown in `config` besides `type` (e.g. `account`, `database`). */
    config: z.record(z.string(), z.string()).default({}),
    status: z.enum(["PENDING", "VALIDATED", "FAILED"]).default("VALIDATED"),
  })
  .strict();

/** The Interchange administration routes over a store. */
export function interchangeAdminRoutes(store: InterchangeStore): EmulatorRoute[] {
  const credentialById = (req: EmulatorRequest) => {
    const credential = store.state.sourceCredentials.find((c) => c.id === req.params.credentialId);
    if (!credential) {
      throw new AdminFailure(adminError(404, "NOT_FOUND", `No source credential ${req.params.credentialId}.`));
    }
    return credential;
  };
  return [
    adminRoute("GET", "/settings", () => ({ status: 200, json: store.state.settings })),
    adminRoute("POST", "/settings", (req) => {
      const patch = parseBody(req, interchangeSettingsSchema.partial());
      Object.assign(store.state.settings, patch);
      return { status: 200, json: store.state.settings };
    }),
    adminRoute("POST", "/oauth/consent", (req) => {
      const credential = findForConsent(store, parseBody(req, consentBody));
      if (!credential) {
        return adminError(404, "NOT_FOUND", "No source credential matches that credentialId or authorizationUrl.");
      }
      grantConsent(credential, new Date());
      return { status: 200, json: buyerCredential(store, credential) };
    }),
    adminRoute("DELETE", "/credentials/{credentialId}", (req) => {
      // Revocation by a person in the web app: the credential disappears from the list.
      const credential = credentialById(req);
      store.state.sourceCredentials = store.state.sourceCredentials.filter((c) => c !== credential);
      return { status: 200, json: { deleted: credential.id } };
    }),
    adminRoute("POST", "/credentials/{credentialId}/orphan", (req) => {
      // The agent was unlinked from every storefront source: the row stays, with `sources: []`.
      const credential = credentialById(req);
      credential.orphaned = true;
      return { status: 200, json: buyerCredential(store, credential) };
    }),
    adminRoute("POST", "/destinations", (req) => {
      const { destination, granted } = parseBody(req, destinationBody);
      const denied = store.state.deniedDestinations.filter((d) => d !== destination);
      store.state.deniedDestinations = granted ? denied : [...denied, destination];
      return { status: 200, json: { deniedDestinations: store.state.deniedDestinations } };
    }),
    adminRoute("POST", "/advertisers/{advertiserId}/warehouse-credentials", (req) => {
      // A SNOWFLAKE or DATABRICKS credential made in the web app: the API shows it but cannot create it.
      const advertiser = store.state.advertisers.find((a) => a.id === req.params.advertiserId);
      if (!advertiser) return adminError(404, "NOT_FOUND", `No advertiser ${req.params.advertiserId}.`);
      const { name, type, config, status } = parseBody(req, warehouseBody);
      if (advertiser.credentials.some((c) => c.name === name)) {
        return adminError(409, "CONFLICT", `Advertiser ${advertiser.id} already has a credential named "${name}".`);
      }
      const now = new Date().toISOString();
      const record: DataDeliveryCredentialRecord = {
        credentialId: store.newId(),
        name,
        config: { ...config, type },
        status,
        ...(status === "VALIDATED" ? { validatedAt: now } : {}),
        createdAt: now,
        updatedAt: now,
        probeGeneration: 0,
      };
      advertiser.credentials.push(record);
      return { status: 201, json: dataDeliveryCredential(record) };
    }),
    adminRoute("POST", "/tos", (req) => {
      const { customer, accepted } = parseBody(req, tosBody);
      const record = store.state.customers.find((c) => c.id === customer);
      if (!record) return adminError(404, "NOT_FOUND", `No customer ${customer}.`);
      record.tosAccepted = accepted;
      return { status: 200, json: record };
    }),
  ];
}
