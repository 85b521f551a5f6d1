import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Throw-away TLS material made with the openssl command line in a temp dir (EC P-256, valid
 * two days): a test CA with a server certificate for the given IPs, a client CA with a client
 * certificate (mutual TLS), an unrelated CA with a server certificate for the same IPs (the
 * "unknown CA" case), and a server certificate from the test CA for a different IP (name
 * mismatch).
 */

export interface CertPair {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

export interface TlsMaterial {
  dir: string;
  ca: { certFile: string; cert: string };
  server: CertPair;
  clientCa: { certFile: string; cert: string };
  client: CertPair;
  unknownCa: { certFile: string; cert: string };
  /** Signed by unknownCa, names the same IPs. */
  untrustedServer: CertPair;
  /** Signed by the test CA, names only 10.255.255.1. */
  wrongNameServer: CertPair;
  cleanup(): void;
}

function openssl(dir: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

function makeCa(dir: string, name: string): { certFile: string; keyFile: string; cert: string } {
  openssl(dir, [
    'req', '-x509', ...KEY, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return { certFile: path.join(dir, `${name}.pem`), keyFile: path.join(dir, `${name}.key`), cert: readFileSync(path.join(dir, `${name}.pem`), 'utf8') };
}

function makeLeaf(dir: string, name: string, ca: string, ext: string): CertPair {
  writeFileSync(path.join(dir, `${name}.ext`), `${ext}\nbasicConstraints=CA:FALSE\n`);
  openssl(dir, ['req', ...KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`]);
  const certFile = path.join(dir, `${name}.pem`);
  const keyFile = path.join(dir, `${name}.key`);
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

export function makeTlsMaterial(serverIps: readonly string[] = ['127.0.0.1']): TlsMaterial {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-tls-'));
  try {
    const san = `subjectAltName=${serverIps.map((ip) => `IP:${ip}`).join(',')}\nextendedKeyUsage=serverAuth`;
    const ca = makeCa(dir, 'camsweep-test-ca');
    const clientCa = makeCa(dir, 'camsweep-test-client-ca');
    const unknownCa = makeCa(dir, 'camsweep-unknown-ca');
    return {
      dir,
      ca: { certFile: ca.certFile, cert: ca.cert },
      server: makeLeaf(dir, 'server', 'camsweep-test-ca', san),
      clientCa: { certFile: clientCa.certFile, cert: clientCa.cert },
      client: makeLeaf(dir, 'client', 'camsweep-test-client-ca', 'extendedKeyUsage=clientAuth'),
      unknownCa: { certFile: unknownCa.certFile, cert: unknownCa.cert },
      untrustedServer: makeLeaf(dir, 'untrusted-server', 'camsweep-unknown-ca', san),
      wrongNameServer: makeLeaf(dir, 'wrong-name-server', 'camsweep-test-ca', 'subjectAltName=IP:10.255.255.1\nextendedKeyUsage=serverAuth'),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
