import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { keepSetup, useLabStore } from './store/index.ts';
import { App } from './ui/App.tsx';
import './ui/styles.css';

// Development builds (the Vite dev server the e2e tests drive) expose the store, so tests can read
// state and show states the lab cannot easily produce (e.g. a model too large for the adapter).
if (import.meta.env.DEV) {
  (window as unknown as { __prefixLabStore?: typeof useLabStore }).__prefixLabStore = useLabStore;
}

// Setup choices (method, steps, languages, items...) survive a reload.
try {
  keepSetup(useLabStore, window.localStorage);
} catch {
  // localStorage is blocked here (e.g. a sandboxed frame): Setup starts from the defaults each time.
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html is missing <div id="root">');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
