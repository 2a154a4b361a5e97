// Fault script: one writer process committing `count` partition overwrites to its own partitions
// (`<name>-0` … `<name>-9`), each tagged in commitInfo with writer and sequence number.
import { existsSync } from 'node:fs';
import { openStore } from '../../../../storage/index.ts';
import { write } from '../../../../delta/index.ts';
import { dataFile, SCHEMA } from '../testkit.ts';

const [uri, name, countText, goFile] = process.argv.slice(2);
const table = openStore(uri);
// Start together: say ready, then wait for the test to create the go file.
process.stdout.write('ready\n');
while (goFile && !existsSync(goFile)) await new Promise((r) => setTimeout(r, 10));
let retries = 0;
for (let seq = 0; seq < Number(countText); seq++) {
  const date = `${name}-${seq % 10}`;
  const add = await dataFile(table, [{ user_id: seq, amount: seq, ts: '2024-03-01 00:00:00+00' }], { pv: { date } });
  const r = await write(table, {
    schema: SCHEMA,
    partitionColumns: ['date'],
    mode: 'overwrite',
    replace: { date },
    adds: [add],
    commitInfo: { writer: name, seq },
  });
  retries += r.retries ?? 0;
}
process.stdout.write(`done ${JSON.stringify({ name, retries })}\n`);
