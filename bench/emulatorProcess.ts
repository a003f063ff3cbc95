/**
 * The emulator in a process of its own for the benchmarks, so that its CPU is counted apart from the engine's, the
 * provider host's and the bench's own (the direct undici contender runs in the bench process). Serves the bench seed
 * (bench/workload.ts: more storefronts and advertisers, rate limits off), prints one JSON line with its URLs, then
 * serves until SIGTERM.
 */
import { startEmulator } from "../emulator/server";
import { benchSeed } from "./workload";

/** What the process prints on its first stdout line. */
export interface EmulatorEndpoints {
  interchangeUrl: string;
  commerceLayerApiUrl: string;
  commerceLayerAuthUrl: string;
  adminUrl: string;
}

async function main(): Promise<void> {
  const emulator = await startEmulator({
    host: "127.0.0.1",
    port: 0,
    seed: benchSeed(),
    interchangeRateLimitPerMinute: 0,
  });
  const endpoints: EmulatorEndpoints = {
    interchangeUrl: emulator.interchangeUrl,
    commerceLayerApiUrl: emulator.commerceLayerApiUrl,
    commerceLayerAuthUrl: emulator.commerceLayerAuthUrl,
    adminUrl: emulator.adminUrl,
  };
  process.stdout.write(`${JSON.stringify(endpoints)}\n`);
  process.once("SIGTERM", () => void emulator.close().then(() => process.exit(0)));
}

void main();
