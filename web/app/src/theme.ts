// The palette's current values for code that draws on a canvas or through a chart library,
// which take colour values, not var(): re-read when the system theme switches.
import { useEffect, useState } from 'react';
import uPlot from 'uplot';

const DARK = '(prefers-color-scheme: dark)';

/** 'var(--ok)' → the value the page's theme gives --ok now; any other colour as it is. */
export function resolveColor(color: string): string {
  const m = /^var\((--[\w-]+)\)$/.exec(color);
  if (!m) return color;
  return getComputedStyle(document.documentElement).getPropertyValue(m[1]).trim() || color;
}

/** Bumps when the system switches between light and dark, so drawings re-resolve their colours. */
export function useThemeVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const query = window.matchMedia(DARK);
    const bump = () => setVersion((v) => v + 1);
    query.addEventListener('change', bump);
    return () => query.removeEventListener('change', bump);
  }, []);
  return version;
}

/** uPlot's time axis in UTC, as every time on the page is, whatever the browser's zone. */
export const utcDate = (seconds: number): Date => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC');
