/**
 * The emulator in a process of its own for the benchmarks, so that its CPU never competes with the code being
 * measured inside the bench process (the direct undici baseline runs there). Prints one JSON line with its URLs,
 * then serves until SIGTERM. Interchange's rate limit is off: the benchmarks measure the provider, not the limiter.
 */
import { startEmulator } from "../emulator/server";

/** What the process prints on its first stdout line. */
export interface EmulatorEndpoints {
  interchangeUrl: string;
  commerceLayerApiUrl: string;
  commerceLayerAuthUrl: string;
  adminUrl: string;
}

async function main(): Promise<void> {
  const emulator = await startEmulator({ host: "127.0.0.1", port: 0, interchangeRateLimitPerMinute: 0 });
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
