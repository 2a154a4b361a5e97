// The page: one route per page folder; server data through TanStack Query.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { Redirect, Route, Switch } from 'wouter';
import { isConnectionLost } from './api.ts';
import { Layout } from './components/Layout.tsx';
import './styles.css';

// One chunk per page: the asset page does not load the graph layout, the graph not the chart.
const AssetPage = lazy(() => import('./pages/asset/AssetPage.tsx').then((m) => ({ default: m.AssetPage })));
const AssetsPage = lazy(() => import('./pages/assets/AssetsPage.tsx').then((m) => ({ default: m.AssetsPage })));
const BackfillPage = lazy(() => import('./pages/backfill/BackfillPage.tsx').then((m) => ({ default: m.BackfillPage })));
const BackfillsPage = lazy(() => import('./pages/backfills/BackfillsPage.tsx').then((m) => ({ default: m.BackfillsPage })));
const SchedulesPage = lazy(() => import('./pages/schedules/SchedulesPage.tsx').then((m) => ({ default: m.SchedulesPage })));
const PartitionPage = lazy(() => import('./pages/partition/PartitionPage.tsx').then((m) => ({ default: m.PartitionPage })));
const RunsPage = lazy(() => import('./pages/runs/RunsPage.tsx').then((m) => ({ default: m.RunsPage })));
const StreamPage = lazy(() => import('./pages/stream/StreamPage.tsx').then((m) => ({ default: m.StreamPage })));
const StreamsPage = lazy(() => import('./pages/streams/StreamsPage.tsx').then((m) => ({ default: m.StreamsPage })));

// A lost connection is retried until it is back, so the page keeps what it shows (Layout's banner
// says so); any other error is retried once, then shown.
const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (failures, err) => isConnectionLost(err) || failures < 1,
      retryDelay: (failures) => Math.min(1_000 * 2 ** failures, 10_000),
      refetchOnWindowFocus: false,
    },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <Layout>
        <Suspense fallback={<p className="loading">Loading…</p>}>
          <Switch>
            <Route path="/">
              <Redirect to="/assets" />
            </Route>
            <Route path="/assets" component={AssetsPage} />
            <Route path="/assets/:name" component={AssetPage} />
            <Route path="/assets/:name/history" component={PartitionPage} />
            <Route path="/runs" component={RunsPage} />
            <Route path="/backfills" component={BackfillsPage} />
            <Route path="/backfills/:id" component={BackfillPage} />
            <Route path="/schedules" component={SchedulesPage} />
            <Route path="/streams" component={StreamsPage} />
            <Route path="/streams/:name" component={StreamPage} />
            <Route>
              <p className="empty">No such page.</p>
            </Route>
          </Switch>
        </Suspense>
      </Layout>
    </QueryClientProvider>
  </StrictMode>,
);
