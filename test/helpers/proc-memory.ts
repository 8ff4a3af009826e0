// Resident memory of a process (a CLI broker child), from /proc, and a sampler that keeps its peak.
import { readFileSync } from 'node:fs';

/** VmRSS of `pid` in MiB; NaN once the process is gone. */
export function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Samples the RSS of `pid` every `everyMs` until stopped; `peak` is the largest seen. */
export function sampleRss(pid: number, everyMs = 20): { readonly peak: number; stop(): number } {
  let peak = rssMiB(pid);
  const timer = setInterval(() => {
    const v = rssMiB(pid);
    if (v > peak) peak = v;
  }, everyMs);
  return {
    get peak() {
      return peak;
    },
    stop() {
      clearInterval(timer);
      const v = rssMiB(pid);
      if (v > peak) peak = v;
      return peak;
    },
  };
}
