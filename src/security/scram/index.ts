// SCRAM-SHA-256 and SCRAM-SHA-512 as SASL mechanisms: servers look credentials up in the
// listener's credential store (the metadata image); the broker's own client takes username and
// password from the listener's ScramLoginModule JAAS options.
import { NO_CREDENTIALS } from '../credentials.js';
import type { SaslListenerContext, SaslMechanism } from '../sasl/mechanism.js';
import { ScramClient } from './scram-client.js';
import { SCRAM_SHA_256, SCRAM_SHA_512, type ScramMechanismInfo } from './scram-formatter.js';
import { ScramServer } from './scram-server.js';

export const SCRAM_LOGIN_MODULE = 'org.apache.kafka.common.security.scram.ScramLoginModule';

function scramMechanism(info: ScramMechanismInfo): SaslMechanism {
  return {
    name: info.name,
    server(listener: SaslListenerContext) {
      const store = listener.credentials ?? NO_CREDENTIALS;
      return () => new ScramServer(info, store);
    },
    client(listener: SaslListenerContext) {
      const module = listener.jaas?.find((m) => m.loginModule === SCRAM_LOGIN_MODULE) ?? listener.jaas?.[0];
      const username = module?.options.get('username');
      const password = module?.options.get('password');
      if (username === undefined || password === undefined) {
        throw new Error(`listener ${listener.listenerName}: the ${info.name} JAAS config needs username and password for the broker's own connections`);
      }
      const tokenAuth = module?.options.get('tokenauth')?.toLowerCase() === 'true';
      return () => new ScramClient(info, username, password, tokenAuth);
    },
  };
}

export const SCRAM_SHA_256_MECHANISM = scramMechanism(SCRAM_SHA_256);
export const SCRAM_SHA_512_MECHANISM = scramMechanism(SCRAM_SHA_512);
