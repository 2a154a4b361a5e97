// Header with the pages, and a banner when the server wants a token.
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useRoute } from 'wouter';
import type { Info } from '../../../api-types.ts';
import { ApiRequestError, getJson } from '../api.ts';

function NavLink({ href, children }: { href: string; children: ReactNode }) {
  const [exact] = useRoute(href);
  const [nested] = useRoute(`${href}/*`);
  return (
    <Link href={href} className={exact || nested ? 'active' : ''}>
      {children}
    </Link>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const info = useQuery({ queryKey: ['info'], queryFn: () => getJson<Info>('/api/info'), staleTime: 60_000 });
  const unauthorized = info.error instanceof ApiRequestError && info.error.status === 401;
  return (
    <>
      <header>
        <Link href="/" className="brand">
          Freshet
        </Link>
        <nav>
          <NavLink href="/assets">Assets</NavLink>
          <NavLink href="/backfills">Backfills</NavLink>
          <NavLink href="/runs">Runs</NavLink>
          <NavLink href="/schedules">Schedules &amp; freshness</NavLink>
          <NavLink href="/streams">Streaming</NavLink>
        </nav>
        {info.data && (
          <span className="meta">
            {info.data.namespace} · {info.data.taskQueue}
          </span>
        )}
      </header>
      {unauthorized && <p className="error banner">{(info.error as Error).message}</p>}
      <main>{children}</main>
    </>
  );
}
