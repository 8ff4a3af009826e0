// OAUTHBEARER as a SASL mechanism: unsecured JWTs by default (Kafka's
// OAuthBearerUnsecuredValidatorCallbackHandler, options from the listener's OAuthBearerLoginModule
// JAAS config), or JWKS-validated ones (KIP-768) when the listener's
// oauthbearer.sasl.server.callback.handler.class is Kafka's OAuthBearerValidatorCallbackHandler.
import { listenerPrefix, listenerSetting, settingList } from '../listener-settings.js';
import type { SaslListenerContext, SaslMechanism } from '../sasl/mechanism.js';
import { JwksKeys, validateJwt, type JwksValidatorOptions } from './jwks-validator.js';
import { OAuthBearerServer, type TokenValidator } from './oauthbearer-server.js';
import { unsecuredValidatorOptions, validateUnsecured } from './unsecured-validator.js';

export const OAUTHBEARER_LOGIN_MODULE = 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule';
const JWKS_HANDLERS = new Set([
  'org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler',
  'org.apache.kafka.common.security.oauthbearer.secured.OAuthBearerValidatorCallbackHandler',
]);

function validator(listener: SaslListenerContext): TokenValidator {
  const { settings, listenerName } = listener;
  const mech = (name: string) => settings(`${listenerPrefix(listenerName)}oauthbearer.${name}`) ?? listenerSetting(settings, listenerName, name);
  const handler = mech('sasl.server.callback.handler.class');
  if (handler !== null && JWKS_HANDLERS.has(handler)) {
    const url = mech('sasl.oauthbearer.jwks.endpoint.url');
    if (url === null) throw new Error(`listener ${listenerName}: OAUTHBEARER with ${handler} needs sasl.oauthbearer.jwks.endpoint.url`);
    const o: JwksValidatorOptions = {
      jwksEndpointUrl: url,
      refreshMs: Number(mech('sasl.oauthbearer.jwks.endpoint.refresh.ms') ?? 3600000),
      clockSkewSeconds: Number(mech('sasl.oauthbearer.clock.skew.seconds') ?? 30),
      expectedAudience: settingList(mech('sasl.oauthbearer.expected.audience')),
      expectedIssuer: mech('sasl.oauthbearer.expected.issuer'),
      subClaimName: mech('sasl.oauthbearer.sub.claim.name') ?? 'sub',
      scopeClaimName: mech('sasl.oauthbearer.scope.claim.name') ?? 'scope',
    };
    const keys = new JwksKeys(url, o.refreshMs);
    return (token) => validateJwt(token, keys, o, Date.now());
  }
  const module = listener.jaas?.find((m) => m.loginModule === OAUTHBEARER_LOGIN_MODULE) ?? listener.jaas?.[0];
  const o = unsecuredValidatorOptions(module?.options ?? new Map());
  return (token) => validateUnsecured(token, o, Date.now());
}

export const OAUTHBEARER: SaslMechanism = {
  name: 'OAUTHBEARER',
  server(listener) {
    const validate = validator(listener);
    return () => new OAuthBearerServer(validate);
  },
};
