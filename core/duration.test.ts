import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it('reads each unit', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('1.5s')).toBe(1_500);
    expect(parseDuration(' 0s ')).toBe(0);
  });
  it('names the bad text and the accepted form', () => {
    for (const bad of ['5', 'm5', '5 minutes', '1h30m', '-1s', '', '0.0001s']) {
      expect(() => parseDuration(bad)).toThrow(new RegExp(`'${bad}'.*'500ms', '30s', '5m', '1h' or '1d'`));
    }
  });
  it('formats back to the largest exact unit', () => {
    expect(formatDuration(300_000)).toBe('5m');
    expect(formatDuration(90_000)).toBe('90s');
    expect(formatDuration(1)).toBe('1ms');
    expect(formatDuration(0)).toBe('0ms');
  });
});
