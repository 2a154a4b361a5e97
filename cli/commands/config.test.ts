// `freshet config` and a closed pipe, through the real command in a child process.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = path.resolve('bin/freshet.mjs');

function freshet(
  args: string[],
  env: Record<string, string>,
  opts: { closeAfterFirstLine?: boolean } = {},
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // as `| head -1` does: read one line, then close the pipe while the command still writes
      if (opts.closeAfterFirstLine && out.includes('\n')) child.stdout.destroy();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('freshet config', () => {
  it('prints every variable with its value and source, secrets masked', async () => {
    const r = await freshet(['config', '--json'], {
      FRESHET_WEB_PORT: '9123',
      FRESHET_TOKEN: 'sekret-token-1',
      AWS_SECRET_ACCESS_KEY: 'sekret-key-2',
    });
    expect(r.code, r.err).toBe(0);
    const rows = JSON.parse(r.out) as Array<{ variable: string; value: string; source: string }>;
    expect(rows.find((x) => x.variable === 'FRESHET_WEB_PORT')).toEqual({
      variable: 'FRESHET_WEB_PORT',
      value: '9123',
      source: 'environment',
    });
    expect(rows.find((x) => x.variable === 'FRESHET_TOKEN')?.value).toBe('***');
    expect(r.out + r.err).not.toMatch(/sekret/);
  });

  it('fails at start on a bad value, naming the variable and what is expected', async () => {
    const r = await freshet(['config'], { FRESHET_WORKER_ACTIVITIES: 'many', FRESHET_LOG_LEVEL: 'shout' });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/FRESHET_WORKER_ACTIVITIES: expected a whole number from 1 .*'many'/);
    expect(r.err).toMatch(/FRESHET_LOG_LEVEL: expected one of TRACE, DEBUG, INFO, WARN, ERROR, got 'shout'/);
  });

  it('ends quietly when the reader closes the pipe (| head)', async () => {
    const r = await freshet(['config'], {}, { closeAfterFirstLine: true });
    expect(r.err).not.toMatch(/EPIPE|Unhandled/);
    expect(r.code).toBe(0);
  });
});
