// Reads and writes never depend on the machine's time zone: a process whose TZ is 14 hours from
// UTC writes and reads the same times, stats and text as one in UTC.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const probe = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'time-zone-probe.ts');

describe('time zones', () => {
  it.each(['Pacific/Kiritimati', 'America/New_York', 'UTC'])(
    "with TZ=%s, Freshet's DuckDB sessions, asset tables and the stream sink are in UTC",
    async (tz) => {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', probe], { env: { ...process.env, TZ: tz } });
      expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({
        session: { zone: 'UTC', cast: '2024-01-01 00:00:00+00' },
        engineRows: [{ naive: '2024-01-01 00:00:00+00', aware: '2024-01-01 00:00:00+00', day: '2024-01-01' }],
        engineStats: {
          numRecords: 1,
          minValues: { naive: '2024-01-01T00:00:00.000Z', aware: '2024-01-01T00:00:00.000Z', day: '2024-01-01' },
          maxValues: { naive: '2024-01-01T00:00:00.000Z', aware: '2024-01-01T00:00:00.000Z', day: '2024-01-01' },
          nullCount: { naive: 0, aware: 0, day: 0 },
        },
        sinkRows: [{ t: '2024-01-01 00:00:00+00' }],
        sinkStats: {
          numRecords: 1,
          minValues: { t: '2024-01-01T00:00:00.000Z' },
          maxValues: { t: '2024-01-01T00:00:00.000Z' },
          nullCount: { t: 0 },
        },
      });
    },
  );
});
