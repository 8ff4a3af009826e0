// The broker's HTTP port (samsa.http.port): a small router over node:http for /metrics, the fault
// injection API and the console. Route modules register through src/http/routes.ts.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
export type HttpHandler = (req: IncomingMessage, res: ServerResponse, params: Record<string, string>, url: URL) => void | Promise<void>;

/** Thrown by a handler (or readJson) to answer with that status and `{error: message}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Route {
  method: HttpMethod;
  /** As registered ('/topics/:name'): what a guard's rules are keyed by. */
  pattern: string;
  /** The pattern's segments; ':name' captures one segment, '*name' as the last captures the rest. */
  segments: string[];
  handler: HttpHandler;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The request body, at most limitBytes (HttpError 413 beyond, 400 if not JSON). */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw new HttpError(413, `request body larger than ${limitBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw new HttpError(413, `request body larger than ${limitBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export async function readJson(req: IncomingMessage, limitBytes = 1 << 20): Promise<unknown> {
  const body = await readBody(req, limitBytes);
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new HttpError(400, `request body is not JSON: ${(e as Error).message}`);
  }
}

/**
 * Runs before every request (src/http/auth.ts): answers it itself (401, 403) or calls `next`.
 * `route` is the route the request matched, null when none did (404/405 follow).
 */
export type HttpGuard = (
  req: IncomingMessage,
  res: ServerResponse,
  route: { method: HttpMethod; pattern: string } | null,
  params: Record<string, string>,
  next: () => Promise<void>,
) => Promise<void>;

function match(route: Route, parts: string[]): Record<string, string> | null {
  const params: Record<string, string> = {};
  const segs = route.segments;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    if (seg.startsWith('*') && i === segs.length - 1) {
      params[seg.slice(1)] = parts.slice(i).join('/');
      return params;
    }
    if (i >= parts.length) return null;
    if (seg.startsWith(':')) params[seg.slice(1)] = parts[i];
    else if (seg !== parts[i]) return null;
  }
  return parts.length === segs.length ? params : null;
}

function split(pathname: string): string[] {
  return pathname.split('/').filter((s) => s !== '');
}

export class HttpServer {
  private readonly routes: Route[] = [];
  private server: http.Server | null = null;
  private readonly sockets = new Set<Socket>();
  private guard: HttpGuard | null = null;

  route(method: HttpMethod, pattern: string, handler: HttpHandler): void {
    this.routes.push({ method, pattern, segments: split(pattern), handler });
  }

  /** Every registered route, in registration order. */
  routeList(): { method: HttpMethod; pattern: string }[] {
    return this.routes.map((r) => ({ method: r.method, pattern: r.pattern }));
  }

  /** Puts `guard` in front of every request (one guard: the port's security). */
  setGuard(guard: HttpGuard | null): void {
    this.guard = guard;
  }

  listen(port: number, host: string): Promise<{ port: number }> {
    const server = http.createServer((req, res) => void this.dispatch(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve({ port: (server.address() as AddressInfo).port });
      });
    });
  }

  /** Stops listening and drops open connections (keep-alive ones would hold close() open). */
  close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const guard = this.guard;
    if (guard === null) return this.serve(req, res);
    let route: Route | null = null;
    let params: Record<string, string> = {};
    try {
      const parts = split(new URL(req.url ?? '/', 'http://localhost').pathname).map(decodeURIComponent);
      for (const r of this.routes) {
        const p = match(r, parts);
        if (p !== null && (r.method === req.method || (req.method === 'HEAD' && r.method === 'GET'))) {
          route = r;
          params = p;
          break;
        }
      }
    } catch {
      // A malformed path: the guard still runs first (serve answers 400 after it).
    }
    try {
      await guard(req, res, route && { method: route.method, pattern: route.pattern }, params, () => this.serve(req, res));
    } catch (e) {
      if (res.headersSent) res.destroy();
      else sendJson(res, e instanceof HttpError ? e.status : 500, { error: (e as Error).message });
    }
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    let parts: string[];
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
      parts = split(url.pathname).map(decodeURIComponent);
    } catch {
      return sendJson(res, 400, { error: 'malformed request path' });
    }
    let pathMatched = false;
    for (const route of this.routes) {
      const params = match(route, parts);
      if (params === null) continue;
      pathMatched = true;
      // HEAD is answered as GET (node:http leaves the body out).
      if (route.method !== req.method && !(req.method === 'HEAD' && route.method === 'GET')) continue;
      try {
        await route.handler(req, res, params, url);
      } catch (e) {
        const status = e instanceof HttpError ? e.status : 500;
        if (res.headersSent) {
          res.destroy();
          return;
        }
        // The rest of a refused upload is not read: the connection closes after the answer.
        if (status === 413) res.setHeader('connection', 'close');
        sendJson(res, status, { error: (e as Error).message });
      }
      return;
    }
    if (pathMatched) return sendJson(res, 405, { error: `method ${req.method} not allowed on ${url.pathname}` });
    sendJson(res, 404, { error: `no route for ${req.method} ${url.pathname}` });
  }
}
