// The page: one route per page folder; server data through TanStack Query.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Redirect, Route, Switch } from 'wouter';
import { Layout } from './components/Layout.tsx';
import { AssetPage } from './pages/asset/AssetPage.tsx';
import { AssetsPage } from './pages/assets/AssetsPage.tsx';
import { BackfillPage } from './pages/backfill/BackfillPage.tsx';
import { BackfillsPage } from './pages/backfills/BackfillsPage.tsx';
import { SchedulesPage } from './pages/schedules/SchedulesPage.tsx';
import { StreamsPage } from './pages/streams/StreamsPage.tsx';
import './styles.css';

const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } } });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <Layout>
        <Switch>
          <Route path="/"><Redirect to="/assets" /></Route>
          <Route path="/assets" component={AssetsPage} />
          <Route path="/assets/:name" component={AssetPage} />
          <Route path="/backfills" component={BackfillsPage} />
          <Route path="/backfills/:id" component={BackfillPage} />
          <Route path="/schedules" component={SchedulesPage} />
          <Route path="/streams" component={StreamsPage} />
          <Route><p className="empty">No such page.</p></Route>
        </Switch>
      </Layout>
    </QueryClientProvider>
  </StrictMode>,
);
