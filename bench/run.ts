/**
 * `npm run bench`: every benchmark, each figure beside its baseline from the same run.
 * `--image` adds the serving-image benchmark (it needs the registry tools).
 * `--only NAME` runs one alone: cart (fit), train (end to end), forest, serving, soak (worker RSS
 * over 1,000,000 requests), jobs, image, and two that `npm run bench` leaves out or runs inside
 * another: rss (worker RSS after start, part of serving) and attack (the worst volumetric request
 * against a 256 MB heap, with a probe's p99).
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
const ONLY = { cart: benchCart, train: benchTrain, forest: benchForest, serving: benchServing, jobs: benchJobs, image: benchImage, soak: benchSoak, attack: benchAttack, rss: benchWorkerRss } as const;
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
  const soak = await benchSoak(log);
  log('');
  const jobs = await benchJobs(log);
  const image = values.image ? (log(''), await benchImage(log)) : undefined;
  // The performance targets (issue 15), each from this run.
  log('\n## Targets from this run');
  const big = train.find((t) => t.rows === 1_000_000 && t.features === 8);
  if (big) {
    log(`end-to-end train 1,000,000 × 8: ${big.ratio.toFixed(2)}× scikit-learn's time (target ≤ 0.25×: ${big.ratio <= 0.25 ? 'met' : 'MISSED'})`);
    const points = (big.oursAccuracy - big.sklearnAccuracy) * 100;
    log(`holdout accuracy, same run: ours minus scikit-learn ${points >= 0 ? '+' : ''}${points.toFixed(3)} points (target within 0.1: ${Math.abs(points) <= 0.1 ? 'met' : 'MISSED'})`);
  }
  const workers = serving.workerRssMb.bundle.workers;
  if (workers.length === 0) throw new Error('the RSS benchmark found no worker processes');
  const rss = Math.max(...workers);
  log(`serving worker RSS after start (bundle, example models): ${rss.toFixed(1)} MB (target ≤ 70 MB: ${rss <= 70 ? 'met' : 'MISSED'})`);
  log(`worker RSS growth from 100,000 to ${soak.requests.toLocaleString('en-US')} requests: ${(soak.growthFrom100k * 100).toFixed(1)}% (target within 10%: ${soak.flat ? 'met' : 'MISSED'})`);
  log(`single-row v2 / v1 req/s: ${serving.v2.ratioToV1.toFixed(3)}× (target ≥ 0.9×: ${serving.v2.ratioToV1 >= 0.9 ? 'met' : 'MISSED'}); one [1, 4] tensor ${serving.v2.matrix.ratioToV1.toFixed(3)}×`);
  const csvToJson = serving.bulkCsv.medianMs / serving.bulkCsv.jsonMedianMs;
  log(`bulk CSV / JSON request time: ${csvToJson.toFixed(2)}× (target ≤ 1: ${csvToJson <= 1 ? 'met' : 'MISSED'})`);
  log(`\n${JSON.stringify({ cart, train, forest, serving, soak, jobs, ...(image !== undefined ? { image } : {}) })}`);
}
