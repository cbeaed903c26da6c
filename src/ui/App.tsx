import { useAppStore } from '../store/app.ts';
import { Header } from './Header.tsx';
import { SettingsPanel } from './settings/SettingsPanel.tsx';
import { SinglePanel } from './single/SinglePanel.tsx';
import { BulkPanel } from './bulk/BulkPanel.tsx';

export function App() {
  const mode = useAppStore((s) => s.mode);
  return (
    <div className="min-h-screen">
      <Header />
      <main className="mx-auto grid max-w-7xl gap-6 px-4 py-6 sm:px-6 lg:grid-cols-[22rem_1fr]">
        <SettingsPanel />
        <div className="min-w-0">{mode === 'single' ? <SinglePanel /> : <BulkPanel />}</div>
      </main>
    </div>
  );
}
