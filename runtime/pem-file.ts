// PEM files named by configuration (TLS certificates, keys, CAs): read once at start and checked,
// so a wrong path or a key given for a certificate fails there, naming the variable and the path,
// instead of as a handshake error on the first connection.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

export type PemKind = 'certificate' | 'private key';

/** The file's bytes, or what is wrong with it (never its contents: a key is a secret). */
export function readPemFile(file: string, kind: PemKind): { data: Buffer } | { problem: string } {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { problem: code === 'ENOENT' ? `no file at ${file}` : `cannot read ${file} (${code ?? (err as Error).message})` };
  }
  const problem = pemProblem(data, kind);
  return problem ? { problem: `${file} ${problem}` } : { data };
}

/** Why `data` is not a PEM `kind`, or undefined when it is. */
export function pemProblem(data: Buffer | string, kind: PemKind): string | undefined {
  try {
    if (kind === 'certificate') new X509Certificate(data);
    else createPrivateKey(data);
    return undefined;
  } catch {
    return `does not hold a PEM ${kind}`;
  }
}
