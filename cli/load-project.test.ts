// `freshet` with a project that throws when imported: the error says it failed on import, what
// was thrown, and the project's own line that threw it.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

async function freshet(project: string, ...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await promisify(execFile)('node', ['bin/freshet.mjs', ...args], { env: { ...process.env, FRESHET_PROJECT: project } });
    return { code: 0, stderr: '' };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

describe('loading a project that throws on import', () => {
  for (const [fixture, thrown, line] of [
    [
      'project-bad-declaration.ts',
      "AssetDefinitionError: asset 'bad' needs exactly one of 'sql' or 'transform'.",
      'project-bad-declaration.ts:4:13',
    ],
    ['project-throws-on-import.ts', 'TypeError: FRESHET_TEST_NO_SUCH_SETTING is not set', 'project-settings.ts:3:46'],
  ]) {
    it(`${fixture}: names the file, what it threw on import, and the line`, async () => {
      const file = path.resolve('test/fixtures', fixture);
      const r = await freshet(file, 'assets');
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `error: Loading the project ${file} failed: importing it threw ${thrown}\n  at ${path.resolve('test/fixtures', line)}\n`,
      );
    }, 60_000);
  }

  it('a missing project file still says to set FRESHET_PROJECT', async () => {
    const r = await freshet('/nonexistent/project.ts', 'assets');
    expect(r.stderr).toMatch(/Project file \/nonexistent\/project\.ts not found: set FRESHET_PROJECT/);
  });
});
