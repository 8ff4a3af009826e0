// The mechanisms samsa serves, registered once on import.
import { registerSaslMechanism } from './mechanism.js';
import { PLAIN } from './plain.js';

registerSaslMechanism(PLAIN);

export { saslMechanism, registerSaslMechanism, SaslAuthenticationError } from './mechanism.js';
export type { SaslClient, SaslMechanism, SaslServer, SaslListenerContext } from './mechanism.js';
