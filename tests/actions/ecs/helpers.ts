/** For the deploy library's tests: a clock that waits for nothing. */
import type { Clock } from '../../../actions/lib/ecs/clock.ts';

/** A clock whose sleep returns at once and moves time forward: timeouts pass without waiting. */
export function instantClock(start = Date.now()): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}
