/** `npm run bench`: every benchmark, each figure beside its baseline from the same run. */
import { benchCart } from './cart.ts';
import { benchServing } from './serving.ts';

const log = (line: string) => process.stdout.write(`${line}\n`);
const cart = await benchCart(log);
log('');
const serving = await benchServing(log);
log(`\n${JSON.stringify({ cart, serving })}`);
