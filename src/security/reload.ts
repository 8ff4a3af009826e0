// What a listener's security is built from, as one string: when dynamic configs change it (Kafka
// lets listener.name.<l>.ssl.keystore.* / truststore.* and the JAAS config be altered per broker),
// the listener rebuilds its TLS and SASL settings for new connections; key and trust store files
// count with their modification time, so re-setting the same path reloads a rewritten file.
import fs from 'node:fs';
import { jaasConfigOf, listenerSetting, settingList, type Settings } from './listener-settings.js';

const SETTINGS = [
  'ssl.keystore.type', 'ssl.keystore.location', 'ssl.keystore.password', 'ssl.keystore.key', 'ssl.keystore.certificate.chain',
  'ssl.key.password', 'ssl.truststore.type', 'ssl.truststore.location', 'ssl.truststore.password', 'ssl.truststore.certificates',
  'ssl.client.auth', 'ssl.enabled.protocols', 'ssl.cipher.suites', 'ssl.principal.mapping.rules', 'sasl.enabled.mechanisms',
];
const FILES = new Set(['ssl.keystore.location', 'ssl.truststore.location']);

export function securityFingerprint(settings: Settings, listenerName: string): string {
  const parts: string[] = [];
  for (const name of SETTINGS) {
    const v = listenerSetting(settings, listenerName, name);
    parts.push(v ?? '\u0000');
    if (v !== null && FILES.has(name)) parts.push(String(mtime(v)));
  }
  for (const m of settingList(listenerSetting(settings, listenerName, 'sasl.enabled.mechanisms'))) parts.push(jaasConfigOf(settings, listenerName, m) ?? '\u0000');
  return parts.join('\u0001');
}

function mtime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}
