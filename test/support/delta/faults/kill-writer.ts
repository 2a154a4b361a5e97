// Fault script: writes data files into a table, says so, then hangs before committing (the test kills it with -9).
import { openStore } from '../../../../storage/index.ts';
import { dataFile } from '../testkit.ts';

const table = openStore(process.argv[2]);
const files = [];
for (let i = 0; i < 3; i++)
  files.push(await dataFile(table, [{ user_id: 1000 + i, amount: 1, ts: '2024-02-01 00:00:00+00' }], { pv: { date: `orphan-${i}` } }));
process.stdout.write(`written ${JSON.stringify(files.map((f) => f.path))}\n`);
await new Promise(() => setInterval(() => {}, 1000));
