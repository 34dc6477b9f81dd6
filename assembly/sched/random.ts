// The engine's only source of "randomness", for schedulers that draw (twos). The kernel calls
// get_random_u32(); the engine has no entropy inside (DESIGN.md: deterministic replay), so this is a
// seeded PCG32 generator (O'Neill's XSH-RR variant: 64-bit LCG state, 32-bit output), seeded from the
// engine's hash seed whenever that is set (conn/hash.ts setHashSeed). Same seed and same packets give
// the same draws; the sequence is shared by every service of the engine, as the kernel's is.
const MULT: u64 = 6364136223846793005;
const INC: u64 = 0xDA3E39CB94B95BDB | 1;    // stream constant, must be odd

let state: u64 = 0x853C49E6748FEA9B;

@inline function step(): void { state = state * MULT + INC; }

/** pcg32_srandom: the generator's state after seeding with s. */
export function seedRandom(s: u32): void {
  state = 0;
  step();
  state += <u64>s;
  step();
}

/** The next 32-bit draw (pcg32_random). */
export function rand32(): u32 {
  const old = state;
  step();
  const x = <u32>(((old >>> 18) ^ old) >>> 27);
  const rot = <u32>(old >>> 59);
  return rotr<u32>(x, rot);
}
