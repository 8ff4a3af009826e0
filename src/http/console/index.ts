// The web console on the broker's HTTP port: server-rendered pages (every value escaped), its
// stylesheet and script served from the package, and the JSON API under /api/console/.
import type { ServerResponse } from 'node:http';
import { sendText, type HttpServer } from '../server.js';
import { registerConsoleApi } from './api/routes.js';
import { CONSOLE_CSS, CONSOLE_JS } from './assets.js';
import type { ConsoleContext } from './context.js';
import { html, page } from './html.js';
import { clientMetricsPage, securityPage, transactionsPage } from './pages/admin.js';
import { browserPage, PAGE_SIZE, parseTime } from './pages/browser.js';
import { clusterPage } from './pages/cluster.js';
import { groupListPage, groupPage } from './pages/groups.js';
import { topicListPage, topicPage } from './pages/topics.js';
import { parseFormat } from './records.js';

const HTML = 'text/html; charset=utf-8';

function sendPage(res: ServerResponse, body: string | null, what: string): void {
  if (body === null) sendText(res, 404, page('Not found', html`<p class="error">${what} does not exist.</p>`), HTML);
  else {
    res.setHeader('cache-control', 'no-store');
    sendText(res, 200, body, HTML);
  }
}

function asset(res: ServerResponse, text: string, type: string): void {
  res.setHeader('cache-control', 'max-age=60');
  sendText(res, 200, text, type);
}

export function registerConsole(server: HttpServer, ctx: ConsoleContext): void {
  const src = ctx.console;
  server.route('GET', '/console/console.css', (_req, res) => asset(res, CONSOLE_CSS, 'text/css; charset=utf-8'));
  server.route('GET', '/console/console.js', (_req, res) => asset(res, CONSOLE_JS, 'text/javascript; charset=utf-8'));

  server.route('GET', '/', async (_req, res) => sendPage(res, await topicListPage(src, ctx.image()), 'The page'));
  server.route('GET', '/topics/:name', async (_req, res, p, url) => {
    const t = ctx.image().topics.get(p.name);
    sendPage(res, t ? await topicPage(src, t, parseFormat(url.searchParams.get('format')), url.searchParams.get('notice')) : null, `Topic ${p.name}`);
  });
  server.route('GET', '/topics/:name/partitions/:partition', async (_req, res, p, url) => {
    const t = ctx.image().topics.get(p.name);
    const partition = Number(p.partition);
    const limit = Number(url.searchParams.get('limit') || PAGE_SIZE);
    const offset = url.searchParams.get('offset');
    const seek = {
      offset: offset === null || offset === '' || !Number.isSafeInteger(Number(offset)) ? null : Number(offset),
      timestamp: parseTime(url.searchParams.get('time')),
      limit: Number.isInteger(limit) ? Math.min(Math.max(limit, 1), 500) : PAGE_SIZE,
      format: parseFormat(url.searchParams.get('format')),
    };
    sendPage(res, t && Number.isInteger(partition) ? await browserPage(src, t, partition, seek) : null, `Partition ${p.name}-${p.partition}`);
  });
  server.route('GET', '/cluster', async (_req, res) => sendPage(res, await clusterPage(src, ctx.image(), ctx.nodeId), 'The page'));
  server.route('GET', '/groups', async (_req, res) => sendPage(res, await groupListPage(src), 'The page'));
  server.route('GET', '/groups/:id', async (_req, res, p) => sendPage(res, await groupPage(src, ctx.image(), p.id), `Group ${p.id}`));
  server.route('GET', '/transactions', async (_req, res) => sendPage(res, await transactionsPage(src), 'The page'));
  server.route('GET', '/security', async (_req, res) => sendPage(res, await securityPage(src), 'The page'));
  server.route('GET', '/client-metrics', (_req, res) => sendPage(res, clientMetricsPage(src, ctx.config.bool('samsa.client.telemetry.enable')), 'The page'));

  registerConsoleApi(server, ctx);
}
