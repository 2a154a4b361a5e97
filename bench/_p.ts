import { writeCheckpoint } from '../delta/checkpoint.ts';
import { loadState } from '../delta/snapshot.ts';
import { openStore } from '../storage/index.ts';
import { forgetCachedSnapshots, loadSnapshot } from '../delta/index.ts';
const t = openStore(process.argv[2]);
if (process.argv[3] === 'cp') await writeCheckpoint(t, (await loadState(t, { version: 0 }))!);
for (let r = 0; r < 5; r++) { forgetCachedSnapshots(); const t0 = performance.now(); const s = await loadSnapshot(t); console.log((performance.now() - t0).toFixed(0), s!.files.length); }
