// The app itself, loaded by main.tsx after anything that must not wait for React has started.
import { createRoot } from 'react-dom/client';
import { App } from './App.js';

createRoot(document.getElementById('root')!).render(<App />);
