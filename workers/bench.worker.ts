// The benchmark in the browser (bench.html): the same module as `npm run bench`, on this
// worker's WebGPU adapter, off the main thread so the page can show rows as they come.
// The page posts the parsed parameters once; rows, logs and the final report stream back.
import { acquireDevice } from '../src/engine/device.ts';
import { createEngine } from '../src/engine/create_engine.ts';
import type { BenchMessage, BenchParams } from '../src/protocol/bench.ts';
import { benchDevice, runBench } from '../src/runner/bench/index.ts';

const post = (m: BenchMessage) => postMessage(m);

self.onmessage = async (ev: MessageEvent<{ params: BenchParams; command: string }>) => {
  try {
    const engine = await createEngine(await acquireDevice(navigator.gpu));
    const { params, command } = ev.data;
    post({ type: 'start', device: benchDevice(engine), params });
    const report = await runBench(engine, params, command, {
      onRow: (row) => post({ type: 'row', row }),
      onLog: (text) => post({ type: 'log', text }),
    });
    post({ type: 'done', report });
  } catch (e) {
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
};
