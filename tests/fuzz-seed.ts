/**
 * The seed of a fuzz suite: FUZZ_SEED when set (to replay a run), else a fresh one. Printed, so any
 * failing run can be reproduced with `FUZZ_SEED=<seed> npm test`.
 */
export function fuzzSeed(suite: string): number {
  const fixed = process.env.FUZZ_SEED;
  const seed = fixed !== undefined && /^\d+$/.test(fixed) ? Number(fixed) : Math.floor(Math.random() * 2 ** 31);
  console.log(`[measure] ${suite}: fuzz seed ${seed} (FUZZ_SEED=${seed} replays it)`);
  return seed;
}
