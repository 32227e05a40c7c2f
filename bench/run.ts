/**
 * `npm run bench`: every benchmark, each figure beside its baseline from the same run.
 * `--image` adds the serving-image benchmark (it needs the registry tools); `--only image` runs it alone.
 * `--only jobs` runs the batch-jobs benchmark alone (bench/jobs.ts; it is part of the full run too).
 */
import { parseArgs } from 'node:util';
import { benchCart } from './cart.ts';
import { benchImage } from './image.ts';
import { benchJobs } from './jobs.ts';
import { benchServing } from './serving.ts';

const { values } = parseArgs({ options: { image: { type: 'boolean', default: false }, only: { type: 'string' } } });
if (values.only !== undefined && values.only !== 'image' && values.only !== 'jobs') throw new Error(`--only takes "image" or "jobs", got "${values.only}"`);
const log = (line: string) => process.stdout.write(`${line}\n`);
if (values.only === 'jobs') {
  log(`\n${JSON.stringify({ jobs: await benchJobs(log) })}`);
} else if (values.only === 'image') {
  log(`\n${JSON.stringify({ image: await benchImage(log) })}`);
} else {
  const cart = await benchCart(log);
  log('');
  const serving = await benchServing(log);
  log('');
  const jobs = await benchJobs(log);
  const image = values.image ? (log(''), await benchImage(log)) : undefined;
  log(`\n${JSON.stringify({ cart, serving, jobs, ...(image !== undefined ? { image } : {}) })}`);
}
