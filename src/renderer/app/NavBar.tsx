// The bar along the top: the screens, and the two actions always at hand.
import { useSettings } from '../settings/settingsStore';
import { useNav, type Route } from '../state/navStore';
import { isMacPlatform, shortcutLabel } from './shortcuts';

const mac = typeof navigator !== 'undefined' && isMacPlatform(navigator.platform);

export function NavBar({ route }: { route: Route }) {
  const go = useNav((s) => s.go);
  const unsaved = useSettings((s) => s.dirty);
  const current = (view: Route['view']) => (route.view === view ? 'page' : undefined);
  return (
    <header className="topbar">
      <span className="brand">RLMScope</span>
      <nav className="topbar-nav" aria-label="Main">
        <button type="button" className="nav-button" aria-current={current('runs') ?? (route.view === 'run' ? 'location' : undefined)} title={`Runs (${shortcutLabel('1', mac)})`} onClick={() => go({ view: 'runs' })}>
          Runs
        </button>
      </nav>
      <div className="topbar-actions">
        <button type="button" className="primary" aria-current={current('new')} title={`New run (${shortcutLabel('n', mac)})`} onClick={() => go({ view: 'new' })}>
          New run
        </button>
        <button type="button" className="nav-button" aria-current={current('settings')} title={`Settings (${shortcutLabel(',', mac)})${unsaved ? ' — unsaved changes' : ''}`} onClick={() => go({ view: 'settings' })}>
          Settings
          {unsaved && <span className="unsaved-dot" aria-hidden="true" />}
        </button>
      </div>
    </header>
  );
}
