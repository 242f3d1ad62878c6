import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { installTestHooks } from './live/testHooks.js';
import { prewarmFromUrl } from './live/prewarm.js';
import './styles.css';

installTestHooks();
prewarmFromUrl(window.location.pathname);
createRoot(document.getElementById('root')!).render(<App />);
