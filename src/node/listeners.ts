// Listeners as Kafka 4.4 reads them: `listeners` / `advertised.listeners` (NAME://host:port,...),
// `listener.security.protocol.map` (NAME:PROTOCOL,...), with Kafka's error messages.

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
const SECURITY_PROTOCOLS: readonly SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];

export interface Endpoint {
  /** The listener name, upper-cased as Kafka normalises it. */
  listenerName: string;
  /** '' binds every interface (Kafka's empty host). */
  host: string;
  /** 0 picks a free port. */
  port: number;
  securityProtocol: SecurityProtocol;
}

export class NodeConfigError extends Error {}

/** Kafka's listener pattern (SocketServerConfigs), matched against the whole entry. */
const LISTENER = /^(.*):\/\/\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)$/s;

/** A Kafka LIST value: comma-separated, each item trimmed, empty input is no items. */
export function parseList(value: string | undefined | null): string[] {
  if (value === undefined || value === null || value.trim() === '') return [];
  return value.split(',').map((s) => s.trim());
}

/** How a Java List<String> prints: "[a, b]". */
export function javaList(items: readonly string[]): string {
  return `[${items.join(', ')}]`;
}

/** The listener name of one `NAME://...` entry, as Kafka reads it before parsing the rest. */
export function listenerNameOf(entry: string): string {
  const at = entry.indexOf('://');
  return at < 0 ? entry : entry.slice(0, at);
}

/**
 * `listener.security.protocol.map` parsed (Kafka's Csv.parseCsvMap then SecurityProtocol.forName).
 * Keys upper-cased as Kafka's ListenerName.normalised does.
 */
export function parseSecurityProtocolMap(value: string): Map<string, SecurityProtocol> {
  const out = new Map<string, SecurityProtocol>();
  if (value.trim() === '') return out;
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    const colon = entry.indexOf(':');
    // Kafka's parseCsvMap splits at the first ':' and fails (substring(0, -1)) on an entry without one.
    if (colon < 0) throw new NodeConfigError(`Error parsing configuration property 'listener.security.protocol.map': begin 0, end -1, length ${entry.length}`);
    const name = entry.slice(0, colon).trim().toUpperCase();
    const protocol = entry.slice(colon + 1).trim().toUpperCase();
    if (!(SECURITY_PROTOCOLS as readonly string[]).includes(protocol)) {
      throw new NodeConfigError(`Invalid security protocol \`${entry.slice(colon + 1).trim()}\` defined in listener.security.protocol.map`);
    }
    out.set(name, protocol as SecurityProtocol);
  }
  return out;
}

/** Kafka's IPv4 / IPv6 address checks (InetAddressValidator), enough to tell the two stacks apart. */
function isIpv4(host: string): boolean {
  const parts = host.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255 && (p.length === 1 || p[0] !== '0'));
}
function isIpv6(host: string): boolean {
  return host.includes(':') && /^[0-9a-fA-F:.%a-zA-Z]+$/.test(host) && (host.match(/::/g)?.length ?? 0) <= 1;
}

/**
 * A listener list parsed as Kafka's listenerListToEndPoints does: every entry matched, a
 * security protocol for every name, distinct names and (for `listeners`) distinct ports unless one
 * is IPv4 and the other IPv6. Failures read "Error creating broker listeners from '[...]': why".
 */
export function parseListeners(value: string, protocols: ReadonlyMap<string, SecurityProtocol>, requireDistinctPorts = true): Endpoint[] {
  const entries = parseList(value);
  const shown = javaList(entries);
  const fail = (why: string) => new NodeConfigError(`Error creating broker listeners from '${shown}': ${why}`);
  const endpoints: Endpoint[] = [];
  for (const entry of entries) {
    const m = LISTENER.exec(entry);
    if (!m) throw fail(`Unable to parse ${entry} to a broker endpoint`);
    const listenerName = m[1].toUpperCase();
    const securityProtocol = protocols.get(listenerName);
    if (!securityProtocol) throw fail(`No security protocol defined for listener ${listenerName}`);
    endpoints.push({ listenerName, host: m[2], port: Number(m[3]), securityProtocol });
  }
  if (new Set(endpoints.map((e) => e.listenerName)).size !== endpoints.length) {
    throw fail(`Each listener must have a different name, listeners: ${shown}`);
  }
  if (requireDistinctPorts) checkPorts(endpoints, shown, fail);
  return endpoints;
}

function checkPorts(endpoints: Endpoint[], shown: string, fail: (why: string) => NodeConfigError): void {
  const byPort = new Map<number, Endpoint[]>();
  for (const e of endpoints) if (e.port !== 0) byPort.set(e.port, [...(byPort.get(e.port) ?? []), e]);
  for (const [port, eps] of byPort) {
    if (eps.length < 2) continue;
    const withIp = eps.filter((e) => isIpv4(e.host) || isIpv6(e.host));
    const withoutIp = eps.filter((e) => !withIp.includes(e));
    if (new Set(withoutIp.map((e) => e.port)).size !== withoutIp.length) {
      throw fail(`Each listener must have a different port, listeners: ${shown}`);
    }
    const twoStacks = `If you have two listeners on the same port then one needs to be IPv4 and the other IPv6, listeners: ${shown}, port: ${port}`;
    if (withIp.length === 2) {
      const [a, b] = withIp;
      const ok = (isIpv4(a.host) && isIpv6(b.host)) || (isIpv6(a.host) && isIpv4(b.host));
      if (!ok || withoutIp.length > 0) throw fail(twoStacks);
    } else if (withIp.length > 2) {
      throw fail(`Each listener must have a different port unless exactly one listener has an IPv4 address and the other IPv6 address, listeners: ${shown}, port: ${port}`);
    }
  }
}

/** "NAME://host:port" as Kafka prints an endpoint. */
export function endpointString(e: Endpoint): string {
  const host = e.host.includes(':') ? `[${e.host}]` : e.host;
  return `${e.listenerName}://${host}:${e.port}`;
}
