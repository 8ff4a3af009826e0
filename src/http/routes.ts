// Every route module of the HTTP port, registered where the server is built (one line each).
import type { HttpContext } from './context.js';
import type { HttpServer } from './server.js';
import { registerMetricsRoutes } from './metrics/routes.js';
import { registerFaultRoutes } from './faults/routes.js';
import { registerConsole } from './console/index.js';

export function registerRoutes(server: HttpServer, ctx: HttpContext): void {
  registerMetricsRoutes(server, ctx);
  registerConsole(server, ctx);
  registerFaultRoutes(server, ctx);
}
