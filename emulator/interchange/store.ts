/**
 * The Interchange platform's in-memory store: the state (model.ts), the timers of pending probes and the
 * rate-limit windows, with the look-ups every route needs (visibility by customer answers 404, never 403).
 */
import { InterchangeFailure } from "./envelope";
import { sasExpiry } from "./probes";
import {
  defaultInterchangeSettings,
  interchangeSeedSchema,
  type AdvertiserRecord,
  type StoredCredentialConfig,
  type InterchangeSettings,
  type InterchangeState,
  type ParsedInterchangeSeed,
  type Storefront,
} from "./model";

/** A fixed one-minute rate-limit window of one API key. */
interface RateWindow {
  startedAt: number;
  count: number;
}

/** Rate-limit bookkeeping of one request, turned into headers by the route wrapper. */
export interface RateLimitVerdict {
  readonly headers: Record<string, string>;
  /** Seconds until the window resets, when the request is over the limit. */
  readonly retryAfterSeconds?: number;
}

const WINDOW_MS = 60_000;

/** State, timers and rate windows of one Interchange platform instance. */
export class InterchangeStore {
  state: InterchangeState;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly rateWindows = new Map<string, RateWindow>();

  constructor(
    private readonly defaultSeed: unknown,
    /** Settings given at start-up (e.g. `interchangeRateLimitPerMinute`); a seed's own settings override them. */
    private readonly startSettings: Partial<InterchangeSettings>,
  ) {
    this.state = this.stateFromSeed(undefined);
  }

  /** Replace the whole state by a seed part (the default seed when undefined); throws on an invalid seed. */
  load(seed: unknown): void {
    const next = this.stateFromSeed(seed);
    this.clearTimers();
    this.rateWindows.clear();
    this.state = next;
  }

  private stateFromSeed(seed: unknown): InterchangeState {
    const parsed = interchangeSeedSchema.safeParse(seed ?? this.defaultSeed);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `interchange.${i.path.join(".")}: ${i.message}`);
      throw new Error(issues.join("; "));
    }
    return buildState(parsed.data, { ...defaultInterchangeSettings, ...this.startSettings, ...parsed.data.settings });
  }

  /** A fresh numeric id (ids are numeric strings, like the platform's; deterministic after a reset). */
  newId(): string {
    return String(this.state.nextId++);
  }

  /** Run `task` after `ms` unless the store is reset or closed first. */
  schedule(ms: number, task: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      task();
    }, ms);
    this.timers.add(timer);
  }

  /** Cancel every pending probe. */
  clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Count a request of an API key (or of whoever sent no valid key) in its fixed one-minute window. */
  countRequest(token: string, now = Date.now()): RateLimitVerdict {
    const limit = this.state.settings.rateLimitPerMinute;
    if (limit === 0) return { headers: {} };
    let window = this.rateWindows.get(token);
    if (!window || now - window.startedAt >= WINDOW_MS) {
      window = { startedAt: now, count: 0 };
      this.rateWindows.set(token, window);
    }
    window.count++;
    const resetSeconds = Math.max(1, Math.ceil((window.startedAt + WINDOW_MS - now) / 1000));
    const headers = {
      "ratelimit-limit": String(limit),
      "ratelimit-remaining": String(Math.max(0, limit - window.count)),
      "ratelimit-reset": String(resetSeconds),
    };
    return window.count > limit ? { headers, retryAfterSeconds: resetSeconds } : { headers };
  }

  /** The storefront if the customer can see it, else the 404 the API answers (never 403). */
  visibleStorefront(customer: string, storefrontId: number): Storefront {
    const storefront = this.state.storefronts.find((s) => s.id === storefrontId && s.customers.includes(customer));
    if (!storefront) {
      throw new InterchangeFailure(404, "NOT_FOUND", `Storefront ${storefrontId} was not found.`);
    }
    return storefront;
  }

  /** The customer's advertiser, else 404 (also for another customer's advertiser). */
  ownAdvertiser(customer: string, advertiserId: string): AdvertiserRecord {
    const advertiser = this.state.advertisers.find((a) => a.id === advertiserId && a.customer === customer);
    if (!advertiser) throw new InterchangeFailure(404, "NOT_FOUND", `Advertiser ${advertiserId} was not found.`);
    return advertiser;
  }
}

function buildState(seed: ParsedInterchangeSeed, settings: InterchangeSettings): InterchangeState {
  const seededAt = new Date().toISOString();
  const numericIds = [
    ...seed.sourceCredentials.map((c) => c.id),
    ...seed.advertisers.flatMap((a) => [
      ...a.dataDelivery.credentials.map((c) => c.credentialId),
      ...a.dataDelivery.outputs.map((o) => o.outputConfigId),
    ]),
  ]
    .map(Number)
    .filter(Number.isFinite);
  const state: InterchangeState = {
    settings,
    customers: seed.customers.map((c) => ({ ...c })),
    apiKeys: seed.apiKeys.map((k) => ({ ...k })),
    storefronts: structuredClone(seed.storefronts),
    advertisers: [],
    sourceCredentials: [],
    deniedDestinations: [],
    nextId: Math.max(1000, ...numericIds) + 1,
  };
  for (const c of seed.sourceCredentials) {
    const source = seed.storefronts.find((s) => s.id === c.storefrontId)?.sources.find((s) => s.id === c.sourceId);
    state.sourceCredentials.push({
      ...c,
      agentId: source?.agentId ?? c.sourceId,
      createdAt: seededAt,
      updatedAt: seededAt,
      auth: null,
      orphaned: false,
    });
  }
  for (const a of seed.advertisers) {
    const credentials = a.dataDelivery.credentials.map((c) => ({
      credentialId: c.credentialId,
      name: c.name,
      config: structuredClone(c.config),
      status: c.status,
      ...(c.statusError !== undefined ? { statusError: c.statusError } : {}),
      ...(c.status === "VALIDATED" ? { validatedAt: seededAt } : {}),
      ...seededExpiry(c.config),
      createdAt: seededAt,
      updatedAt: seededAt,
      probeGeneration: 0,
    }));
    state.advertisers.push({
      id: a.id,
      customer: a.customer,
      name: a.name,
      ...(a.description !== undefined ? { description: a.description } : {}),
      optimizationApplyMode: "MANUAL",
      primaryCurrency: a.primaryCurrency.toUpperCase(),
      utmConfig: [],
      createdAt: seededAt,
      updatedAt: seededAt,
      credentials,
      archivedCredentials: [],
      outputs: a.dataDelivery.outputs.map((o) => ({
        ...o,
        credentialId: credentials.find((c) => c.name === o.credentialName)?.credentialId ?? "",
        createdAt: seededAt,
        updatedAt: seededAt,
      })),
    });
  }
  return state;
}

function seededExpiry(config: StoredCredentialConfig): { expiresAt?: string } {
  const expiresAt = config.type === "AZURE_BLOB" && "auth" in config ? sasExpiry(config.auth.sasToken) : undefined;
  return expiresAt === undefined ? {} : { expiresAt };
}
