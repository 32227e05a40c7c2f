/** What an error says to a person (place and message, as the command line prints it). */
import { describeError } from '../../training/errors.ts';

export function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return describeError(err);
  }
  throw new Error('expected an error, but none was thrown');
}

export async function rejected(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return describeError(err);
  }
  throw new Error('expected a rejection, but the promise resolved');
}
