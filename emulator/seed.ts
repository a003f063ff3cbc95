/**
 * The emulator's default seed: what it serves with zero setup (documented in emulator/README.md). A seed document
 * has one part per platform; `platform-credentials emulator --seed FILE` and `POST /_emulator/seed` take a JSON
 * document of the same shape, and a part left out means that platform's default.
 *
 * Every key and secret here is fake, short and obviously so: nothing in this file is, or looks like, a real
 * Scope3 key (`scope3_<20+ chars>_<20+ chars>`) or a real Commerce Layer secret.
 */
import { defaultCommerceLayerSeed, type CommerceLayerSeed } from "./commercelayer/seed";
import type { InterchangeSeed } from "./interchange/model";

/** A whole seed document: one optional part per platform. */
export interface SeedDocument {
  /** Scope3 Interchange: customers, API keys, storefronts and their sources, advertisers, settings. */
  interchange?: InterchangeSeed;
  /** Commerce Layer: provisioning users, organizations and their roles, settings. */
  commercelayer?: CommerceLayerSeed;
}

/** Interchange API keys of the default seed. */
export const EMULATOR_INTERCHANGE_KEYS = {
  /** acme, Terms of Service accepted, not an admin. */
  acme: "scope3_acme_emulatorkey",
  /** acme, admin (may register marketplace accounts). */
  acmeAdmin: "scope3_acmeadmin_emulatorkey",
  /** globex, Terms of Service accepted: a second customer, to prove isolation. */
  globex: "scope3_globex_emulatorkey",
  /** initech, Terms of Service NOT accepted: writes answer 403 TOS_ACCEPTANCE_REQUIRED. */
  initech: "scope3_initech_emulatorkey",
} as const;

/**
 * The default Interchange part. Storefront 101 has one source of every auth type plus one that takes no
 * credentials; storefront 102 shares 101's API-key agent (so one registration covers both); storefront 201 belongs
 * to globex only. Advertiser 12345 (acme) starts empty; 12346 (acme) has a validated GCS credential referenced by a
 * live output; 67890 belongs to globex.
 */
export const defaultInterchangeSeed: InterchangeSeed = {
  customers: [
    { id: "acme", name: "Acme Corp", tosAccepted: true },
    { id: "globex", name: "Globex Corporation", tosAccepted: true },
    { id: "initech", name: "Initech", tosAccepted: false },
  ],
  apiKeys: [
    { key: EMULATOR_INTERCHANGE_KEYS.acme, customer: "acme", user: "platform-team@acme.example" },
    { key: EMULATOR_INTERCHANGE_KEYS.acmeAdmin, customer: "acme", user: "admin@acme.example", admin: true },
    { key: EMULATOR_INTERCHANGE_KEYS.globex, customer: "globex", user: "ops@globex.example" },
    { key: EMULATOR_INTERCHANGE_KEYS.initech, customer: "initech", user: "peter@initech.example" },
  ],
  storefronts: [
    {
      id: 101,
      name: "Acme Media Storefront",
      platformId: "acme-media",
      publisherDomain: "media.example",
      customers: ["acme", "initech"],
      sources: [
        { id: "src_apikey", name: "Display Exchange (API key)", agentId: "agent-display", authType: "API_KEY" },
        { id: "src_jwt", name: "Retail Network (JWT)", agentId: "agent-retail", authType: "JWT" },
        { id: "src_basic", name: "Audio Network (basic auth)", agentId: "agent-audio", authType: "BASIC_AUTH" },
        { id: "src_oauth", name: "Social Ads (OAuth)", agentId: "agent-social", authType: "OAUTH" },
        { id: "src_none", name: "Open Marketplace (account only)", agentId: "agent-open", authType: "NONE" },
        {
          id: "src_house",
          name: "House Inventory (no credentials)",
          agentId: "agent-house",
          authType: "NONE",
          requiresCredentials: false,
        },
      ],
    },
    {
      id: 102,
      name: "Acme Video Storefront",
      platformId: "acme-video",
      publisherDomain: "video.example",
      customers: ["acme"],
      sources: [{ id: "src_video", name: "Video Exchange (API key)", agentId: "agent-display", authType: "API_KEY" }],
    },
    {
      id: 201,
      name: "Globex Private Storefront",
      platformId: "globex-private",
      publisherDomain: null,
      customers: ["globex"],
      sources: [{ id: "src_apikey", name: "Globex Exchange (API key)", agentId: "agent-globex", authType: "API_KEY" }],
    },
  ],
  advertisers: [
    { id: "12345", customer: "acme", name: "Acme Corp", description: "Acme's main advertiser" },
    {
      id: "12346",
      customer: "acme",
      name: "Acme Outlet",
      dataDelivery: {
        credentials: [
          {
            credentialId: "900",
            name: "outlet-lld",
            config: { type: "GCS", bucket: "acme-outlet-lld" },
            status: "VALIDATED",
          },
        ],
        outputs: [
          {
            outputConfigId: "901",
            dataDeliveryType: "IMPRESSIONS",
            cadence: "DAILY",
            credentialName: "outlet-lld",
            deliveryConfig: { type: "GCS", pathPrefix: "lld/{YYYY}/{MM}/{DD}/", format: "JSONL" },
          },
        ],
      },
    },
    { id: "67890", customer: "globex", name: "Globex Corporation" },
  ],
};

/** The default seed document: both platforms' default parts. */
export const defaultSeed: SeedDocument = {
  interchange: defaultInterchangeSeed,
  commercelayer: defaultCommerceLayerSeed,
};
