// Java key stores made with the JDK's keytool the way Kafka's security docs make them: a CA key pair,
// a key pair per party signed by the CA (certreq + gencert), the CA and signed certificates imported
// into the party's key store, and a trust store holding the CA certificate. Temp dir only.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const keytool = (dir: string, ...args: string[]) => execFileSync('keytool', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

export interface KeytoolPki {
  dir: string;
  /** The CA certificate, PEM. */
  caPem: string;
  /**
   * A key store of `type` with one private key entry `alias`: the key (its own key password) and
   * the chain [signed certificate, CA]. Returns its path.
   */
  keyStore(name: string, dname: string, opts: { type?: string; storePassword: string; keyPassword: string; server?: boolean }): string;
  /** A trust store of `type` holding the CA certificate as a trusted certificate entry. */
  trustStore(name: string, opts: { type?: string; storePassword: string }): string;
}

export function makeKeytoolPki(dir: string): KeytoolPki {
  fs.mkdirSync(dir, { recursive: true });
  keytool(dir, '-genkeypair', '-storetype', 'PKCS12', '-keystore', 'ca.p12', '-storepass', 'ca-pass', '-alias', 'ca', '-keyalg', 'RSA', '-keysize', '2048', '-dname', 'CN=samsa-jks-ca', '-ext', 'bc:c', '-validity', '2');
  keytool(dir, '-exportcert', '-rfc', '-keystore', 'ca.p12', '-storepass', 'ca-pass', '-alias', 'ca', '-file', 'ca.pem');
  const caPem = path.join(dir, 'ca.pem');
  return {
    dir,
    caPem,
    keyStore(name, dname, { type = 'JKS', storePassword, keyPassword, server }) {
      const store = path.join(dir, `${name}.${type.toLowerCase()}`);
      const common = ['-keystore', store, '-storetype', type, '-storepass', storePassword];
      keytool(dir, '-genkeypair', ...common, '-keypass', keyPassword, '-alias', name, '-keyalg', 'RSA', '-keysize', '2048', '-dname', dname, '-validity', '2');
      keytool(dir, '-certreq', ...common, '-keypass', keyPassword, '-alias', name, '-file', `${name}.csr`);
      const ext = server ? ['-ext', 'SAN=dns:localhost,ip:127.0.0.1'] : [];
      keytool(dir, '-gencert', '-keystore', 'ca.p12', '-storepass', 'ca-pass', '-alias', 'ca', '-infile', `${name}.csr`, '-outfile', `${name}.signed.pem`, '-rfc', '-validity', '2', ...ext);
      keytool(dir, '-importcert', ...common, '-alias', 'ca', '-file', 'ca.pem', '-noprompt');
      keytool(dir, '-importcert', ...common, '-keypass', keyPassword, '-alias', name, '-file', `${name}.signed.pem`);
      return store;
    },
    trustStore(name, { type = 'JKS', storePassword }) {
      const store = path.join(dir, `${name}.${type.toLowerCase()}`);
      keytool(dir, '-importcert', '-keystore', store, '-storetype', type, '-storepass', storePassword, '-alias', 'ca', '-file', 'ca.pem', '-noprompt');
      return store;
    },
  };
}
