// How numbers, times and durations read on the page.

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const s = ms / 1_000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = s / 60;
  if (m < 60) return `${Math.round(m)} min`;
  const h = m / 60;
  if (h < 48) return `${h.toFixed(h < 10 ? 1 : 0)} h`;
  return `${(h / 24).toFixed(1)} d`;
}

/** One unit for the lags on a page (its title, the SLA, the chart's axis), so they read alike. */
export interface LagUnit {
  short: string;
  name: string;
  ms: number;
}

/** The unit that keeps numbers up to `maxMs` short: days past 3 days, hours past 2 hours, else minutes. */
export function lagUnit(maxMs: number): LagUnit {
  if (maxMs > 72 * 3_600_000) return { short: 'd', name: 'days', ms: 86_400_000 };
  if (maxMs > 2 * 3_600_000) return { short: 'h', name: 'hours', ms: 3_600_000 };
  return { short: 'min', name: 'minutes', ms: 60_000 };
}

export function inUnit(ms: number | null | undefined, unit: LagUnit): string {
  if (ms === null || ms === undefined) return '—';
  const v = ms / unit.ms;
  return `${v.toFixed(v < 10 ? 1 : 0)} ${unit.short}`;
}

export function time(ms: number | null | undefined): string {
  if (!ms) return '—';
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

export function ago(ms: number | null | undefined): string {
  if (!ms) return 'never';
  return `${duration(Date.now() - ms)} ago`;
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
