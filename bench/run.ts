/**
 * `npm run bench`: every benchmark, each figure beside its baseline from the same run.
 * `--image` adds the serving-image benchmark (it needs the registry tools); `--only image` runs it alone.
 * `--only train` runs the end-to-end training benchmark alone; `--only forest` the random-forest one.
 * `--only soak` (worker RSS over 1,000,000 requests) and `--only attack` (the worst volumetric
 * request against a 256 MB heap, with a probe's p99) run alone too; `npm run bench` leaves them out.
 * `--only jobs` runs the batch-jobs benchmark alone (bench/jobs.ts; it is part of the full run too).
 * `--only rss` runs the worker-RSS-after-start figure of the serving benchmark alone.
 */
import { parseArgs } from 'node:util';
import { benchCart } from './cart.ts';
import { benchForest } from './forest.ts';
import { benchImage } from './image.ts';
import { benchJobs } from './jobs.ts';
import { benchServing, benchWorkerRss } from './serving.ts';
import { benchTrain } from './train-e2e.ts';
import { benchAttack } from './serving/attack.ts';
import { benchSoak } from './serving/soak.ts';

const { values } = parseArgs({ options: { image: { type: 'boolean', default: false }, only: { type: 'string' } } });
const ONLY = { image: benchImage, train: benchTrain, forest: benchForest, soak: benchSoak, attack: benchAttack, jobs: benchJobs, rss: benchWorkerRss } as const;
if (values.only !== undefined && !Object.hasOwn(ONLY, values.only)) throw new Error(`--only takes ${Object.keys(ONLY).map((k) => `"${k}"`).join(', ')}, got "${values.only}"`);
const log = (line: string) => process.stdout.write(`${line}\n`);
if (values.only !== undefined) {
  log(`\n${JSON.stringify({ [values.only]: await ONLY[values.only as keyof typeof ONLY](log) })}`);
} else {
  const cart = await benchCart(log);
  log('');
  const train = await benchTrain(log);
  log('');
  const forest = await benchForest(log);
  log('');
  const serving = await benchServing(log);
  log('');
  const jobs = await benchJobs(log);
  const image = values.image ? (log(''), await benchImage(log)) : undefined;
  log(`\n${JSON.stringify({ cart, train, forest, serving, jobs, ...(image !== undefined ? { image } : {}) })}`);
}
