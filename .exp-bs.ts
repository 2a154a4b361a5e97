// scratch: range batch size vs wall time, engine only (no Temporal), on the 10M bench data
import { rmSync } from 'node:fs';
process.env.FRESHET_ROWS_PER_DAY = '27397'; process.env.FRESHET_USERS = '1000000';
const DAY_MS = 86_400_000; const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const first = new Date(today - 366 * DAY_MS).toISOString().slice(0, 10);
process.env.FRESHET_START_DATE = first;
const graph = (await import('./assets/index.ts')).default;
const { keysBetween, shiftKey } = await import('./core/index.ts');
const { materializeMany } = await import('./engine/index.ts');
const { openStore } = await import('./storage/index.ts');
const def = graph.get('transactions').partitions! as never;
const days = keysBetween(def, first, shiftKey(def, first, 364));
const dir = '.freshet/bench/batch-10000000/warehouse';
for (const size of process.argv.slice(2).map(Number)) {
  rmSync(`${dir}/user_purchases_30d`, { recursive: true, force: true });
  const t0 = performance.now();
  const r = await materializeMany({ graph, warehouse: openStore(dir), asset: 'user_purchases_30d', partitions: days, engine: { rangeBatch: size } });
  console.log(`rangeBatch ${size}: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${r.reduce((n, x) => n + x.rows, 0)} rows, peak ${Math.max(...r.map((x) => x.peakMemoryBytes ?? 0)) >> 20} MiB`);
}
rmSync(`${dir}/user_purchases_30d`, { recursive: true, force: true });
