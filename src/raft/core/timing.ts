// Kafka's randomized timeouts and backoffs, from the injected random source.
import type { RaftCoreConfig } from './config.js';

/** Kafka's base for the randomized election backoff. */
const RETRY_BACKOFF_BASE_MS = 100;

/** An election timeout in [T, 2T): spread so that voters rarely stand at once. */
export function randomElectionTimeoutMs(cfg: RaftCoreConfig): number {
  return cfg.electionTimeoutMs + Math.floor(cfg.random() * cfg.electionTimeoutMs);
}

/** After the n-th lost election: base * random(0 .. 2^n), at most the configured maximum. */
export function binaryExponentialElectionBackoffMs(cfg: RaftCoreConfig, retries: number): number {
  const bound = 2 << Math.min(20, Math.max(0, retries - 1));
  return Math.min(RETRY_BACKOFF_BASE_MS * Math.floor(cfg.random() * bound), cfg.electionBackoffMaxMs);
}

/** EndQuorumEpoch: the first preferred successor stands at once, the next ones wait exponentially longer. */
export function strictExponentialElectionBackoffMs(cfg: RaftCoreConfig, position: number, total: number): number {
  if (position === 0) return 0;
  if (position < 0 || position >= total) return cfg.electionBackoffMaxMs;
  const base = cfg.electionBackoffMaxMs >> (total - 1);
  return Math.min(cfg.electionBackoffMaxMs, base << (position - 1));
}
