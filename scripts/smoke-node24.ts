// CI's smoke run on Node 24 (the Docker image's runtime): the unit tests and one end-to-end
// materialize through Temporal, with vitest run by the Node 24 binary; its JSON report is
// test-results/vitest-node24.json, which scripts/test-summary.mjs adds to the count.
import { spawn } from 'node:child_process';
import { ensureNode24 } from '../services/node24.ts';

const FILES = ['core/', 'contract/', 'runtime/', 'workflows/', 'test/materialize.test.ts'];

const node = await ensureNode24();
const child = spawn(
  node,
  ['node_modules/vitest/vitest.mjs', 'run', '--project', 'freshet', '--outputFile.json=test-results/vitest-node24.json', ...FILES],
  { stdio: 'inherit' },
);
child.on('close', (code) => {
  process.exitCode = code ?? 1;
});
