// Loaded into a serving process's cluster workers by the soak benchmark (NODE_OPTIONS=--import):
// on SIGUSR2, two full garbage collections, then the heap figures to
// $MLSHIP_BENCH_HEAP_DIR/<pid>.json. Live heap after a full GC that stays flat while RSS grows
// means V8 kept heap capacity it had grown, not a leak.
import cluster from 'node:cluster';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';

if (cluster.isWorker && process.env.MLSHIP_BENCH_HEAP_DIR) {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  process.on('SIGUSR2', () => {
    gc();
    gc();
    const m = process.memoryUsage();
    writeFileSync(path.join(process.env.MLSHIP_BENCH_HEAP_DIR, `${process.pid}.json`), JSON.stringify({ heapUsed: m.heapUsed, heapTotal: m.heapTotal, rss: m.rss }));
  });
}
