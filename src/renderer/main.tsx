// The page's entry point: wiring only. It finds the RlmApi (the desktop bridge, or browser
// mode's WebSocket) and renders the app.
// The React plugin's Fast Refresh preamble, imported here rather than injected into index.html
// as an inline script, which the page's Content-Security-Policy refuses (`npm run dev`).
import '@vitejs/plugin-react/preamble';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
// The base styles first: each screen's own file comes after and refines them.
import './styles.css';
import { App } from './app/App';
import { connectApi } from './api/connect';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App api={connectApi()} />
    </StrictMode>,
  );
}
