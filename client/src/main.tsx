// Entry: small on purpose. For a lesson URL the join starts here, and React and the app
// (boot.tsx) load once the media Device has (or after 300 ms at most): on a slow projector PC
// both want the same main thread, and the picture needs the Device first.
import { installTestHooks } from './live/testHooks.js';
import { prewarmFromUrl } from './live/prewarm.js';
import './styles.css';

installTestHooks();
const deviceFirst = new Promise((resolve) => setTimeout(resolve, 300));
void Promise.race([prewarmFromUrl(window.location.pathname), deviceFirst]).then(() => import('./boot.js'));
