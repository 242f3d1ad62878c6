import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { installTestHooks } from './live/testHooks.js';
import './styles.css';

installTestHooks();
createRoot(document.getElementById('root')!).render(<App />);
