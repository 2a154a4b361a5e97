// PEM files for configuration tests: a self-signed certificate (used as client certificate and as
// CA), its private key, made by openssl in a folder of the test's own.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TlsFiles {
  dir: string;
  cert: string;
  key: string;
  certPem: string;
  keyPem: string;
}

export function makeTlsFiles(prefix = 'tls'): TlsFiles {
  const dir = mkdtempSync(path.join(tmpdir(), `freshet-${prefix}-`));
  const cert = path.join(dir, 'client.pem');
  const key = path.join(dir, 'client.key');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=freshet-test',
    ],
    { stdio: 'ignore' },
  );
  return { dir, cert, key, certPem: readFileSync(cert, 'utf8'), keyPem: readFileSync(key, 'utf8') };
}
