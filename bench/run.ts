/**
 * `npm run bench`: every benchmark, each figure beside its baseline from the same run.
 * `--image` adds the serving-image benchmark (it needs the registry tools); `--only image` runs it alone.
 * `--only train` runs the end-to-end training benchmark alone.
 */
import { parseArgs } from 'node:util';
import { benchCart } from './cart.ts';
import { benchImage } from './image.ts';
import { benchServing } from './serving.ts';
import { benchTrain } from './train-e2e.ts';

const { values } = parseArgs({ options: { image: { type: 'boolean', default: false }, only: { type: 'string' } } });
if (values.only !== undefined && values.only !== 'image' && values.only !== 'train') throw new Error(`--only takes "image" or "train", got "${values.only}"`);
const log = (line: string) => process.stdout.write(`${line}\n`);
if (values.only === 'image') {
  log(`\n${JSON.stringify({ image: await benchImage(log) })}`);
} else if (values.only === 'train') {
  log(`\n${JSON.stringify({ train: await benchTrain(log) })}`);
} else {
  const cart = await benchCart(log);
  log('');
  const train = await benchTrain(log);
  log('');
  const serving = await benchServing(log);
  const image = values.image ? (log(''), await benchImage(log)) : undefined;
  log(`\n${JSON.stringify({ cart, train, serving, ...(image !== undefined ? { image } : {}) })}`);
}
