import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { PAGES, useHashPage, type PageId } from './lib/route';
import { DatasetsPage } from './pages/DatasetsPage';
import { ModelsPage } from './pages/ModelsPage';
import { MonitoringPage } from './pages/MonitoringPage';
import { PipelinesPage } from './pages/PipelinesPage';
import { RunsPage } from './pages/RunsPage';
import { ServingPage } from './pages/ServingPage';
import { SessionBadge, SignInScreen } from './pages/SignIn';
import { useSession } from './api/session';

const VIEWS: Record<PageId, () => React.JSX.Element> = {
  datasets: DatasetsPage,
  runs: RunsPage,
  models: ModelsPage,
  pipelines: PipelinesPage,
  serving: ServingPage,
  monitoring: MonitoringPage,
};

export function App() {
  const { state } = useSession();
  const queryClient = useQueryClient();
  // Signed out (by hand or by a 401): nothing read with the last token stays in memory.
  useEffect(() => {
    if (state.kind === 'signed-out') queryClient.clear();
  }, [state.kind, queryClient]);
  if (state.kind === 'signed-out') {
    return (
      <>
        <header className="top">
          <span className="brand">MLOps</span>
        </header>
        <main id="main" tabIndex={-1}>
          <SignInScreen />
        </main>
      </>
    );
  }
  return <Dashboard />;
}

function Dashboard() {
  const page = useHashPage();
  const View = VIEWS[page];
  const title = PAGES.find((p) => p.id === page)?.title ?? '';
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">MLOps</span>
        <nav aria-label="Pages">
          <ul>
            {PAGES.map((p) => (
              <li key={p.id}>
                <a href={`#/${p.id}`} aria-current={p.id === page ? 'page' : undefined}>
                  {p.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <SessionBadge />
      </header>
      <main id="main" tabIndex={-1}>
        <h1>{title}</h1>
        <View />
      </main>
    </>
  );
}
