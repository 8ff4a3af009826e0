// Every route module of the HTTP port, registered where the server is built (one line each).
import type { HttpContext } from './context.js';
import type { HttpServer } from './server.js';
import { registerMetricsRoutes } from './metrics/routes.js';
import { registerFaultRoutes } from './faults/routes.js';
import { registerConsole } from './console/index.js';
import { httpGuard, remoteAsRequester, visibleImage } from './auth.js';

export function registerRoutes(server: HttpServer, ctx: HttpContext): void {
  // The broker's security in front of every route; the console sees only the topics its user may describe.
  server.setGuard(httpGuard(ctx));
  registerMetricsRoutes(server, ctx);
  registerConsole(server, {
    ...ctx,
    image: () => visibleImage(ctx.image(), ctx.authorizer()),
    console: { ...ctx.console, requestTo: remoteAsRequester((...a) => ctx.console.requestTo(...a), () => ctx.authorizer()) },
  });
  registerFaultRoutes(server, ctx);
}
