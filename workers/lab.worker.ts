// The lab runs here, off the main thread, so the page stays responsive during training.
import * as Comlink from 'comlink';
import { createBrowserLab } from './browser_env.ts';

Comlink.expose(createBrowserLab());
