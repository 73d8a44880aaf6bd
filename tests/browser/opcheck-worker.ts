// Runs the same op checks inside a dedicated Worker: training runs in a worker, so the kernels
// must work where navigator.gpu is WorkerNavigator.gpu too.
import { runBrowserOpChecks } from './checks.ts';

runBrowserOpChecks(navigator.gpu).then(
  (report) => postMessage({ report }),
  (e: unknown) => postMessage({ error: String(e) }),
);
