// Who a connection is, as Kafka's KafkaPrincipal names it ("User:alice"); what the authorizer checks.

export interface KafkaPrincipal {
  principalType: string;
  name: string;
  /** Authenticated with a delegation token (SCRAM tokenauth=true): such connections may not ask for tokens. */
  tokenAuthenticated?: boolean;
}

/** Kafka's principal of PLAINTEXT connections and of SSL ones without a client certificate. */
export const ANONYMOUS: KafkaPrincipal = Object.freeze({ principalType: 'User', name: 'ANONYMOUS' });

export function userPrincipal(name: string): KafkaPrincipal {
  return { principalType: 'User', name };
}

/** "User:alice", as Kafka prints a principal. */
export function principalString(p: KafkaPrincipal): string {
  return `${p.principalType}:${p.name}`;
}
