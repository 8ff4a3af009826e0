// The HTTP port under the broker's security. With a SASL listener, requests need HTTP Basic
// credentials (RFC 7617) that the listeners' own PLAIN and SCRAM servers accept (the same
// exchange a Kafka client runs); with an authorizer, each route is authorized as the Kafka API
// giving the same data is, and lists show only what the principal may describe. Neither: open.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MetadataImage, TopicImage } from '../metadata/image.js';
import { MetadataImage as Image, TopicsImage } from '../metadata/image.js';
import { AclOperation, AclResourceType, CLUSTER_NAME, operationName, resourceTypeName } from '../security/acl/acl.js';
import type { StandardAuthorizer } from '../security/acl/authorizer.js';
import { delegationTokenSecretKey, imageCredentialStore } from '../security/image-credentials.js';
import { parseJaasConfig } from '../security/jaas.js';
import type { SecurityProtocol } from '../security/listener-security.js';
import { jaasConfigOf, listenerSetting, settingList, type Settings } from '../security/listener-settings.js';
import { ANONYMOUS, principalString, userPrincipal, type KafkaPrincipal } from '../security/principal.js';
import { saslMechanism, type SaslClient, type SaslServer } from '../security/sasl/index.js';
import { ScramClient } from '../security/scram/scram-client.js';
import { scramMechanismByName } from '../security/scram/scram-formatter.js';
import { httpRequest, runAs } from './request-scope.js';
import { sendJson, type HttpGuard, type HttpMethod } from './server.js';

export interface HttpSecurityContext {
  readonly config: { get(name: string): string | null };
  image(): MetadataImage;
  /** The broker's StandardAuthorizer over the current ACLs; null without authorizer.class.name. */
  authorizer(): StandardAuthorizer | null;
  /** The broker's Kafka listeners and their protocols. */
  listeners(): readonly { name: string; securityProtocol: SecurityProtocol }[];
}

/** What a route needs of the authorizer. */
export type RouteRule =
  /** Authenticated is enough (the console's stylesheet and script). */
  | { kind: 'open' }
  /** A list: topics the principal may not DESCRIBE are left out, the Kafka APIs behind it filter the rest. */
  | { kind: 'filtered' }
  /** `operation` on the resource named by the route's `param` (CLUSTER: kafka-cluster). */
  | { kind: 'acl'; operation: number; resourceType: number; param?: string };

const open: RouteRule = { kind: 'open' };
const filtered: RouteRule = { kind: 'filtered' };
const topic = (operation: number): RouteRule => ({ kind: 'acl', operation, resourceType: AclResourceType.TOPIC, param: 'name' });
const group = (operation: number): RouteRule => ({ kind: 'acl', operation, resourceType: AclResourceType.GROUP, param: 'id' });
const cluster = (operation: number): RouteRule => ({ kind: 'acl', operation, resourceType: AclResourceType.CLUSTER });
const { READ, WRITE, DESCRIBE, ALTER, DESCRIBE_CONFIGS, ALTER_CONFIGS } = AclOperation;

/** Each route by "METHOD pattern", as the Kafka API that gives the same data authorizes it. */
const RULES: ReadonlyMap<string, RouteRule> = new Map([
  ['GET /console/console.css', open],
  ['GET /console/console.js', open],
  ['GET /', filtered],
  // The topic page shows its latest messages: READ (which implies DESCRIBE).
  ['GET /topics/:name', topic(READ)],
  ['GET /topics/:name/partitions/:partition', topic(READ)],
  // Brokers, controllers, features and the broker's configs (DescribeConfigs of the broker).
  ['GET /cluster', cluster(DESCRIBE_CONFIGS)],
  ['GET /groups', filtered],
  ['GET /groups/:id', group(DESCRIBE)],
  // ListTransactions/DescribeTransactions filter by TRANSACTIONAL_ID DESCRIBE themselves.
  ['GET /transactions', filtered],
  ['GET /security', cluster(DESCRIBE)],
  ['GET /client-metrics', cluster(DESCRIBE)],
  ['GET /api/console/topics', filtered],
  ['GET /api/console/topics/:name', topic(DESCRIBE)],
  ['GET /api/console/topics/:name/partitions/:partition/records', topic(READ)],
  ['POST /api/console/topics/:name/records', topic(WRITE)],
  ['POST /api/console/topics/:name/configs', topic(ALTER_CONFIGS)],
  ['GET /api/console/groups', filtered],
  ['GET /api/console/groups/:id', group(DESCRIBE)],
  ['GET /api/console/transactions', filtered],
  ['GET /api/console/acls', cluster(DESCRIBE)],
  // DescribeClientQuotas needs DESCRIBE_CONFIGS on the cluster.
  ['GET /api/console/quotas', cluster(DESCRIBE_CONFIGS)],
  ['GET /api/console/client-metrics', cluster(DESCRIBE)],
  // Every topic's and client's counters: as the ACLs page, for who may describe the cluster.
  ['GET /metrics', cluster(DESCRIBE)],
]);

/** Fault injection and node control change the cluster: ALTER on it. */
const CONTROL_PREFIXES = ['/api/faults', '/api/cluster/'];

/** A route's rule; `explicit` false when none is written down (then ALTER on the cluster: closed by default). */
export function routeRule(method: HttpMethod, pattern: string): { rule: RouteRule; explicit: boolean } {
  const rule = RULES.get(`${method} ${pattern}`);
  if (rule) return { rule, explicit: true };
  if (CONTROL_PREFIXES.some((p) => pattern === p || pattern.startsWith(p))) return { rule: cluster(ALTER), explicit: true };
  return { rule: cluster(ALTER), explicit: false };
}

/** "user:password" of an `Authorization: Basic` header, or null. */
export function basicCredentials(header: string | undefined): { username: string; password: string } | null {
  const m = /^Basic[ \t]+([A-Za-z0-9+/]+=*)[ \t]*$/i.exec(header ?? '');
  if (!m) return null;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

const BASIC_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];

/** Runs a client's exchange against a server to its end; true when the server accepted it. */
async function exchange(client: SaslClient, server: SaslServer): Promise<boolean> {
  try {
    let token: Buffer | null = client.initial();
    for (let rounds = 0; token !== null && rounds < 4; rounds++) {
      const challenge = await server.evaluate(token);
      if (server.complete) {
        // SCRAM's server-final: the client checks the server's signature too.
        client.evaluate(challenge);
        return true;
      }
      token = client.evaluate(challenge);
    }
  } catch {
    // A refused password, an unknown user: not authenticated.
  }
  return false;
}

/**
 * Checks a user and password as the SASL listeners would: PLAIN against the listener's JAAS users,
 * SCRAM against the credentials in the metadata log (the listener's ScramServer verifies StoredKey).
 */
export function credentialChecker(ctx: HttpSecurityContext): (username: string, password: string) => Promise<KafkaPrincipal | null> {
  const settings: Settings = (n) => ctx.config.get(n);
  const credentials = imageCredentialStore(
    () => ctx.image(),
    () => delegationTokenSecretKey(settings),
  );
  return async (username, password) => {
    if (username === '' || password === '') return null;
    for (const l of ctx.listeners()) {
      if (l.securityProtocol !== 'SASL_PLAINTEXT' && l.securityProtocol !== 'SASL_SSL') continue;
      const enabled = settingList(listenerSetting(settings, l.name, 'sasl.enabled.mechanisms') ?? 'GSSAPI');
      for (const name of BASIC_MECHANISMS) {
        const mechanism = saslMechanism(name);
        if (!enabled.includes(name) || !mechanism) continue;
        const scram = scramMechanismByName(name);
        // No credential of this mechanism: skip the password derivation.
        if (scram && credentials.scram(name, username) === undefined) continue;
        const jaasText = jaasConfigOf(settings, l.name, name);
        let server: SaslServer;
        try {
          server = mechanism.server({ listenerName: l.name, settings, jaas: jaasText === null ? null : parseJaasConfig(jaasText), credentials })();
        } catch {
          continue;
        }
        const client: SaslClient = scram
          ? new ScramClient(scram, username, password)
          : { initial: () => Buffer.from(`\u0000${username}\u0000${password}`, 'utf8'), evaluate: () => null };
        if (await exchange(client, server)) return userPrincipal(server.authorizationId());
      }
    }
    return null;
  };
}

/** The client's address as an ACL's host names it (IPv4 without the IPv6-mapped prefix). */
function clientHost(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

function deny(res: ServerResponse, principal: KafkaPrincipal, rule: Extract<RouteRule, { kind: 'acl' }>, name: string): void {
  sendJson(res, 403, { error: `${principalString(principal)} is not authorized to ${operationName(rule.operation)} ${resourceTypeName(rule.resourceType)} ${name}` });
}

/**
 * The guard for the port, or null when the broker has neither a SASL listener nor an authorizer
 * (the developer default: everything open, as before).
 */
export function httpGuard(ctx: HttpSecurityContext): HttpGuard | null {
  const sasl = ctx.listeners().some((l) => l.securityProtocol === 'SASL_PLAINTEXT' || l.securityProtocol === 'SASL_SSL');
  const authorizing = ctx.authorizer() !== null;
  if (!sasl && !authorizing) return null;
  const check = credentialChecker(ctx);
  return async (req, res, route, params, next) => {
    let principal: KafkaPrincipal = ANONYMOUS;
    if (sasl) {
      const given = basicCredentials(req.headers.authorization);
      const who = given && (await check(given.username, given.password));
      if (!who) {
        res.setHeader('www-authenticate', 'Basic realm="samsa", charset="UTF-8"');
        return sendJson(res, 401, { error: 'authentication required: HTTP Basic with a user of the broker\'s SASL listeners' });
      }
      principal = who;
    }
    const host = clientHost(req);
    const authorizer = ctx.authorizer();
    if (authorizer !== null && route !== null) {
      const { rule } = routeRule(route.method, route.pattern);
      if (rule.kind === 'acl') {
        const name = rule.resourceType === AclResourceType.CLUSTER ? CLUSTER_NAME : (params[rule.param ?? ''] ?? '');
        if (!authorizer.authorize(principalString(principal), host, rule.operation, rule.resourceType, name)) return deny(res, principal, rule, name);
      }
    }
    return runAs({ principal, host }, next);
  };
}

/**
 * The metadata image as the current HTTP request's principal may see it: topics it may not
 * DESCRIBE left out (as Metadata hides them). The image itself outside a guarded request.
 */
export function visibleImage(image: MetadataImage, authorizer: StandardAuthorizer | null): MetadataImage {
  const request = httpRequest();
  if (authorizer === null || request === undefined) return image;
  const who = principalString(request.principal);
  const keep = (t: TopicImage) => authorizer.authorize(who, request.host, DESCRIBE, AclResourceType.TOPIC, t.name);
  const all = [...image.topics.all()];
  if (all.every(keep)) return image;
  const shown = all.filter(keep);
  const topics = new TopicsImage(new Map(shown.map((t) => [t.topicId, t])), new Map(shown.map((t) => [t.name, t])));
  return new Image(image.clusterId, image.provenance, image.features, image.cluster, topics, image.configs, image.producerIds, image.scram, image.delegationTokens, image.acls, image.clientQuotas);
}

type RemoteRequest = (nodeId: number, apiKey: number, apiVersion: number, body: unknown) => Promise<unknown>;

/**
 * The console's requests to another broker of a cluster: that broker answers as this one's
 * inter-broker principal, so the lists in its answers are cut here to what the HTTP request's
 * principal may DESCRIBE (ListGroups, ListTransactions, DescribeTransactions, OffsetFetch's topics).
 */
export function remoteAsRequester(requestTo: RemoteRequest, authorizer: () => StandardAuthorizer | null): RemoteRequest {
  return async (nodeId, apiKey, apiVersion, body) => {
    const res = (await requestTo(nodeId, apiKey, apiVersion, body)) as Record<string, any>;
    const a = authorizer();
    const request = httpRequest();
    if (a === null || request === undefined) return res;
    const who = principalString(request.principal);
    const may = (resourceType: number, name: string) => a.authorize(who, request.host, DESCRIBE, resourceType, name);
    if (apiKey === 16) return { ...res, groups: res.groups.filter((g: { groupId: string }) => may(AclResourceType.GROUP, g.groupId)) };
    if (apiKey === 65 || apiKey === 66) {
      return { ...res, transactionStates: res.transactionStates.filter((s: { transactionalId: string }) => may(AclResourceType.TRANSACTIONAL_ID, s.transactionalId)) };
    }
    if (apiKey === 9) {
      const topics = (list: { name?: string }[] | undefined) => list?.filter((x) => may(AclResourceType.TOPIC, x.name ?? ''));
      return { ...res, topics: topics(res.topics), groups: res.groups?.map((g: { topics: { name?: string }[] }) => ({ ...g, topics: topics(g.topics) })) };
    }
    return res;
  };
}
