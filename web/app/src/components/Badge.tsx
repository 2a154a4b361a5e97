// A small colored label: freshness, backfill status.
import type { ReactNode } from 'react';

export function Badge({ color, children, testId }: { color: string; children: ReactNode; testId?: string }) {
  return (
    <span className="badge" style={{ borderColor: color, color }} data-testid={testId}>
      {children}
    </span>
  );
}
