// A throw-away test CA and certificates made with openssl in a temp dir (never committed): the
// broker's (CN=localhost, SAN localhost/127.0.0.1) and clients' (any subject), as PEM files, a PEM
// key store (key + chain in one file), PKCS12 key stores and a PKCS12 trust store.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface Pki {
  dir: string;
  caCert: string;
  /** Makes a key and a certificate signed by the CA; returns their paths and a combined PEM key store. */
  issue(name: string, subject: string, opts?: { server?: boolean; keyPassword?: string }): Issued;
  /** A PKCS12 key store of an issued certificate. */
  pkcs12(issued: Issued, password: string): string;
  /** A PKCS12 trust store holding the CA certificate. */
  trustStore(password: string): string;
}

export interface Issued {
  key: string;
  cert: string;
  /** Key then certificate chain, one file (ssl.keystore.type=PEM with ssl.keystore.location). */
  keyStore: string;
}

const ssl = (dir: string, ...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

export function makePki(dir: string): Pki {
  fs.mkdirSync(dir, { recursive: true });
  ssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=samsa-test-ca');
  const caCert = path.join(dir, 'ca.pem');
  return {
    dir,
    caCert,
    issue(name, subject, opts = {}) {
      const key = path.join(dir, `${name}.key`);
      const cert = path.join(dir, `${name}.pem`);
      ssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.plain.key`, '-out', `${name}.csr`, '-subj', subject);
      const ext = path.join(dir, `${name}.ext`);
      fs.writeFileSync(ext, opts.server ? 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' : 'extendedKeyUsage=clientAuth\n');
      ssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', ext);
      if (opts.keyPassword) {
        ssl(dir, 'pkcs8', '-topk8', '-in', `${name}.plain.key`, '-out', `${name}.key`, '-v2', 'aes-256-cbc', '-passout', `pass:${opts.keyPassword}`);
      } else {
        fs.copyFileSync(path.join(dir, `${name}.plain.key`), key);
      }
      const keyStore = path.join(dir, `${name}.keystore.pem`);
      fs.writeFileSync(keyStore, fs.readFileSync(key, 'utf8') + fs.readFileSync(cert, 'utf8') + fs.readFileSync(caCert, 'utf8'));
      return { key, cert, keyStore };
    },
    pkcs12(issued, password) {
      const out = issued.cert.replace(/\.pem$/, '.p12');
      ssl(dir, 'pkcs12', '-export', '-inkey', `${path.basename(issued.cert, '.pem')}.plain.key`, '-in', issued.cert, '-certfile', 'ca.pem', '-out', out, '-passout', `pass:${password}`);
      return out;
    },
    trustStore(password) {
      const out = path.join(dir, 'truststore.p12');
      ssl(dir, 'pkcs12', '-export', '-nokeys', '-in', 'ca.pem', '-out', out, '-passout', `pass:${password}`);
      return out;
    },
  };
}
