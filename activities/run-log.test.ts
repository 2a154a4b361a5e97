import fc from 'fast-check';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LOG_LIMITS, type RunRef } from '../contract/runs.ts';
import { createLogger } from '../runtime/logger.ts';
import { endRunLog, inRunLog, newLineBuffer, pushLine, type RunLog } from './run-log.ts';

const nowhere = () => new Writable({ write: (_c, _e, cb) => cb() });

describe("an attempt's kept lines", () => {
  it('stay within the limits whatever is logged, keep the first and the last lines, and count what was left out', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: LOG_LIMITS.lineBytes * 2 }), { maxLength: 2_000 }), (lengths) => {
        const buf = newLineBuffer();
        lengths.forEach((n, i) => pushLine(buf, `${i}:${'x'.repeat(n)}`));
        const kept = [...buf.head, ...buf.tail];
        expect(buf.head.length).toBeLessThanOrEqual(LOG_LIMITS.headLines);
        expect(buf.tail.length).toBeLessThanOrEqual(LOG_LIMITS.tailLines);
        expect(kept.reduce((n, l) => n + l.length, 0)).toBeLessThanOrEqual(LOG_LIMITS.bytes);
        expect(kept.every((l) => l.length <= LOG_LIMITS.lineBytes)).toBe(true);
        expect(kept.length + buf.dropped).toBe(lengths.length);
        if (lengths.length > 0) {
          // the last line (where an error is) is always kept; the first one too
          expect(kept[kept.length - 1]).toContain(`${lengths.length - 1}:`);
          expect(kept[0]).toContain('0:');
        }
      }),
    );
  });

  it("hold the logger's lines of this attempt only, with secrets removed", async () => {
    const log = createLogger({ level: 'INFO', format: 'json', secrets: ['s3cr3t-value'], destination: nowhere() });
    const ref: RunRef = { trigger: 'backfill', workflowId: 'wf', runId: 'run', activityId: '7', attempt: 2, startedAt: 0, log: 'x' };
    const run: RunLog = { asset: 'a', partitions: ['k'], ref, lines: newLineBuffer() };
    const mine = { workflowId: 'wf', runId: 'run', activityId: '7', attempt: 2 };
    await inRunLog(run, async () => {
      log.error(
        { ...mine, password: 'hunter22', error: new Error('connect to s3://s3cr3t-value@host failed') },
        'failed with s3cr3t-value',
      );
      log.info({ ...mine, attempt: 1 }, 'an earlier attempt');
      log.info({ ...mine, activityId: '8' }, 'another activity');
      log.debug(mine, 'below the level');
      log.info('no activity at all');
    });
    endRunLog(run);
    log.info(mine, 'after the attempt ended');
    const lines = run.lines.head.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.msg)).toEqual(['failed with [Redacted]']);
    const text = run.lines.head.join('\n');
    expect(text).not.toContain('s3cr3t-value');
    expect(text).not.toContain('hunter22');
    expect(lines[0]).toMatchObject({ password: '[Redacted]', error: { message: 'connect to s3://[Redacted]@host failed' } });
  });
});
