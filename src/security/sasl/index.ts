// The mechanisms samsa serves, registered once on import.
import { registerSaslMechanism } from './mechanism.js';
import { PLAIN } from './plain.js';
import { SCRAM_SHA_256_MECHANISM, SCRAM_SHA_512_MECHANISM } from '../scram/index.js';
import { OAUTHBEARER } from '../oauthbearer/index.js';

registerSaslMechanism(PLAIN);
registerSaslMechanism(SCRAM_SHA_256_MECHANISM);
registerSaslMechanism(SCRAM_SHA_512_MECHANISM);
registerSaslMechanism(OAUTHBEARER);

export { saslMechanism, registerSaslMechanism, SaslAuthenticationError } from './mechanism.js';
export type { SaslClient, SaslMechanism, SaslServer, SaslListenerContext } from './mechanism.js';
