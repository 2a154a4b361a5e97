// Header with the pages, a banner when the server wants a token, and one when it cannot be
// reached: the page keeps what it shows, its queries retry (main.tsx), and Retry asks at once.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useRoute } from 'wouter';
import type { Info } from '../../../api-types.ts';
import { ApiRequestError, getJson, useConnectionLost } from '../api.ts';
import './Layout.css';

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
  const lost = useConnectionLost();
  const queryClient = useQueryClient();
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
      {lost && (
        <p className="connection-lost" role="alert" data-testid="connection-lost">
          Connection lost, retrying… What the page shows is from before.
          <button onClick={() => void queryClient.refetchQueries({ type: 'active' })} data-testid="retry-now">
            Retry now
          </button>
        </p>
      )}
      <main>{children}</main>
    </>
  );
}
