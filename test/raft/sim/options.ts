// The settings the CI test and `raft-sim` torture share, so a failing seed from either replays in both.
import type { SimOptions } from './simulation.js';

export function simOptions(seed: number): SimOptions {
  return { seed, voters: seed % 2 === 0 ? 3 : 5, observers: 1, faultMs: 20000, livenessMs: 30000 };
}
