// The driver's watch on the worker that started it (engine/spark/driver.py), run in the project's
// Python without Spark: it stops once the worker is gone, whether reaped, a zombie nobody reaped,
// or its pid taken by a newer process; it keeps going while the worker lives.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { sparkSettings } from './settings.ts';

const run = promisify(execFile);
const driver = path.join(import.meta.dirname, 'driver.py');

/** Runs `body` after loading driver.py's functions (pyspark imported, no session started); returns its exit code and stderr. */
async function python(body: string): Promise<{ code: number; stderr: string }> {
  const prelude = `import importlib.util, os, subprocess, sys, time
spec = importlib.util.spec_from_file_location("driver", ${JSON.stringify(driver)})
d = importlib.util.module_from_spec(spec); spec.loader.exec_module(d)
`;
  try {
    const { stderr } = await run(sparkSettings(undefined).python, ['-c', prelude + body], { timeout: 60_000 });
    return { code: 0, stderr };
  } catch (e) {
    const err = e as { code?: number; stderr?: string };
    return { code: err.code ?? -1, stderr: err.stderr ?? '' };
  }
}

describe("the Spark driver's watch on its worker", () => {
  it('stops (exit 3) when the worker was killed and reaped', async () => {
    const r = await python(`p = subprocess.Popen(["sleep", "60"])
t = __import__("threading").Thread(target=lambda: (time.sleep(0.3), p.kill(), p.wait()))
t.start()
d.watch_parent(p.pid, interval=0.1)`);
    expect(r).toMatchObject({ code: 3 });
    expect(r.stderr).toMatch(/the worker \(pid \d+\) is gone/);
  });

  it('stops when the worker is a zombie nobody reaped (a signal probe alone would think it alive)', async () => {
    const r = await python(`p = subprocess.Popen(["sleep", "60"])
p.kill()
time.sleep(0.3)
assert d.proc_state(p.pid)[0] == "Z"
os.kill(p.pid, 0)  # the probe still succeeds on a zombie
d.watch_parent(p.pid, interval=0.1)`);
    expect(r).toMatchObject({ code: 3 });
  });

  it('tells a new process with the same pid from the worker by its start time, and keeps going while the worker lives', async () => {
    const r = await python(`me = os.getpid()
first = d.proc_state(me)
assert not d.parent_gone(me, first)
assert d.parent_gone(me, (first[0], str(int(first[1]) - 1)))
print("alive")`);
    expect(r).toMatchObject({ code: 0 });
  });
});
