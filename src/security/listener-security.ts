// Everything one listener needs to secure its connections, read once from the settings when the
// listener starts: its protocol, TLS (SSL, SASL_SSL), SASL mechanisms (SASL_*), the principal of a
// client certificate (ssl.principal.mapping.rules); and the broker's client side towards a listener.
import type tls from 'node:tls';
import { log } from '../log.js';
import { parseJaasConfig } from './jaas.js';
import { jaasConfigOf, listenerPrefix, listenerSetting, settingList, type Settings } from './listener-settings.js';
import { ANONYMOUS, userPrincipal, type KafkaPrincipal } from './principal.js';
import { saslMechanism, type SaslClient, type SaslListenerContext, type SaslServer } from './sasl/index.js';
import { rfc2253, SslPrincipalMapper } from './ssl-principal-mapper.js';
import { clientTls, serverTls, type ServerTls } from './tls-options.js';
import type { CredentialStore } from './credentials.js';

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';

export interface SaslServerSettings {
  /** sasl.enabled.mechanisms of the listener, as configured (what a handshake answers). */
  enabledMechanisms: string[];
  /** The enabled mechanisms samsa implements: a maker of per-connection servers each. */
  servers: ReadonlyMap<string, () => SaslServer>;
  /** sasl.server.max.receive.size: the largest frame read before authentication. */
  maxReceiveSize: number;
  /** connections.max.reauth.ms per mechanism (listener.name.<l>.<mech>. prefix first; 0: sessions do not expire), KIP-368. */
  maxReauthMs?: ReadonlyMap<string, number>;
}

export interface ListenerSecurity {
  securityProtocol: SecurityProtocol;
  /** SSL and SASL_SSL. */
  tls: ServerTls | null;
  /** SASL_PLAINTEXT and SASL_SSL. */
  sasl: SaslServerSettings | null;
  /** The principal of an SSL connection from its client certificate's subject (Node's form); throws when no mapping rule applies. */
  certificatePrincipal(subject: string | null): KafkaPrincipal;
}

const isSsl = (p: SecurityProtocol) => p === 'SSL' || p === 'SASL_SSL';
const isSasl = (p: SecurityProtocol) => p === 'SASL_PLAINTEXT' || p === 'SASL_SSL';

function saslContext(settings: Settings, listenerName: string, mechanism: string, credentials?: CredentialStore): SaslListenerContext {
  const text = jaasConfigOf(settings, listenerName, mechanism);
  return { listenerName, settings, jaas: text === null ? null : parseJaasConfig(text), credentials };
}

/** A listener's security, or null for PLAINTEXT (whose connections then cost nothing extra). */
export function listenerSecurity(settings: Settings, listenerName: string, protocol: SecurityProtocol, credentials?: CredentialStore): ListenerSecurity | null {
  if (protocol === 'PLAINTEXT') return null;
  const mapper = new SslPrincipalMapper(listenerSetting(settings, listenerName, 'ssl.principal.mapping.rules'));
  let sasl: SaslServerSettings | null = null;
  if (isSasl(protocol)) {
    const enabledMechanisms = settingList(listenerSetting(settings, listenerName, 'sasl.enabled.mechanisms') ?? 'GSSAPI');
    const servers = new Map<string, () => SaslServer>();
    for (const name of enabledMechanisms) {
      const mechanism = saslMechanism(name);
      if (!mechanism) {
        log.warn(`listener ${listenerName}: SASL mechanism ${name} is enabled but not supported by samsa; handshakes asking for it are refused`);
        continue;
      }
      servers.set(name, mechanism.server(saslContext(settings, listenerName, name, credentials)));
    }
    const maxReauthMs = new Map<string, number>();
    for (const name of enabledMechanisms) {
      const v = settings(`${listenerPrefix(listenerName)}${name.toLowerCase()}.connections.max.reauth.ms`) ?? listenerSetting(settings, listenerName, 'connections.max.reauth.ms');
      maxReauthMs.set(name, Number(v ?? 0));
    }
    sasl = { enabledMechanisms, servers, maxReceiveSize: Number(settings('sasl.server.max.receive.size') ?? 524288), maxReauthMs };
  }
  return {
    securityProtocol: protocol,
    tls: isSsl(protocol) ? serverTls(settings, listenerName, protocol) : null,
    sasl,
    certificatePrincipal: (subject) => (subject === null ? ANONYMOUS : userPrincipal(mapper.name(rfc2253(subject)))),
  };
}

/** How the broker connects to another node's listener (inter-broker, controller). */
export interface ClientSecurity {
  securityProtocol: SecurityProtocol;
  /** TLS options for a connection to `host` (SSL, SASL_SSL). */
  tls: ((host: string) => tls.ConnectionOptions) | null;
  /** The mechanism and a maker of per-connection clients (SASL_*). */
  sasl: { mechanism: string; client: () => SaslClient } | null;
}

/**
 * The client side towards `listenerName` of `protocol`, with `mechanism` for SASL
 * (sasl.mechanism.inter.broker.protocol or sasl.mechanism.controller.protocol); null for PLAINTEXT.
 */
export function clientSecurity(settings: Settings, listenerName: string, protocol: SecurityProtocol, mechanism: string): ClientSecurity | null {
  if (protocol === 'PLAINTEXT') return null;
  let sasl: ClientSecurity['sasl'] = null;
  if (isSasl(protocol)) {
    const m = saslMechanism(mechanism);
    if (!m?.client) throw new Error(`listener ${listenerName}: SASL mechanism ${mechanism} is not supported for the broker's own connections`);
    sasl = { mechanism, client: m.client(saslContext(settings, listenerName, mechanism)) };
  }
  return { securityProtocol: protocol, tls: isSsl(protocol) ? clientTls(settings, listenerName) : null, sasl };
}
