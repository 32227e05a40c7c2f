/**
 * `npm run bench`: every benchmark, each figure beside its baseline from the same run.
 * `--image` adds the serving-image benchmark (it needs the registry tools); `--only image` runs it alone.
 * `--only train` runs the end-to-end training benchmark alone; `--only forest` the random-forest one.
 */
import { parseArgs } from 'node:util';
import { benchCart } from './cart.ts';
import { benchForest } from './forest.ts';
import { benchImage } from './image.ts';
import { benchServing } from './serving.ts';
import { benchTrain } from './train-e2e.ts';

const { values } = parseArgs({ options: { image: { type: 'boolean', default: false }, only: { type: 'string' } } });
const ONLY = ['image', 'train', 'forest'];
if (values.only !== undefined && !ONLY.includes(values.only)) throw new Error(`--only takes one of ${ONLY.map((o) => `"${o}"`).join(', ')}, got "${values.only}"`);
const log = (line: string) => process.stdout.write(`${line}\n`);
if (values.only === 'image') {
  log(`\n${JSON.stringify({ image: await benchImage(log) })}`);
} else if (values.only === 'train') {
  log(`\n${JSON.stringify({ train: await benchTrain(log) })}`);
} else if (values.only === 'forest') {
  log(`\n${JSON.stringify({ forest: await benchForest(log) })}`);
} else {
  const cart = await benchCart(log);
  log('');
  const train = await benchTrain(log);
  log('');
  const forest = await benchForest(log);
  log('');
  const serving = await benchServing(log);
  const image = values.image ? (log(''), await benchImage(log)) : undefined;
  log(`\n${JSON.stringify({ cart, train, forest, serving, ...(image !== undefined ? { image } : {}) })}`);
}
