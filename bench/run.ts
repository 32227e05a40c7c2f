/** `npm run bench`: every benchmark, each figure beside its baseline from the same run. */
import { benchCart } from './cart.ts';

const log = (line: string) => process.stdout.write(`${line}\n`);
const results = { cart: await benchCart(log) };
log(`\n${JSON.stringify(results)}`);
