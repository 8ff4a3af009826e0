// Kafka's Uuid: 16 random bytes printed as unpadded base64url (22 characters).
import { randomBytes } from 'node:crypto';

export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export function randomUuid(): string {
  for (;;) {
    const s = randomBytes(16).toString('base64url');
    // Kafka never hands out ids that print with a leading '-' (they read as CLI flags) or reserved ids.
    if (!s.startsWith('-') && s !== ZERO_UUID && s !== 'AAAAAAAAAAAAAAAAAAAAAQ') return s;
  }
}
