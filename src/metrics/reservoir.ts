// A request time distribution as Kafka's histograms report it: count, sum and percentiles, the
// percentiles over the last SIZE samples (Kafka's Yammer histograms keep a 1028-sample reservoir).

const SIZE = 1028;

export const QUANTILES: readonly number[] = [0.5, 0.75, 0.95, 0.98, 0.99, 0.999];
/** As the JMX exporter writes Kafka's 50thPercentile ... 999thPercentile attributes. */
export const QUANTILE_LABELS: readonly string[] = ['0.50', '0.75', '0.95', '0.98', '0.99', '0.999'];

export class TimeReservoir {
  count = 0;
  sum = 0;
  private readonly samples = new Float64Array(SIZE);

  record(ms: number): void {
    this.samples[this.count % SIZE] = ms;
    this.count++;
    this.sum += ms;
  }

  /** The QUANTILES of the samples kept (sorted on each call: a scrape, not the request path). */
  quantiles(): number[] {
    const n = Math.min(this.count, SIZE);
    if (n === 0) return QUANTILES.map(() => 0);
    const sorted = this.samples.slice(0, n).sort();
    // Yammer's Snapshot.getValue: linear between the neighbours of (n + 1) * q.
    return QUANTILES.map((q) => {
      const pos = q * (n + 1);
      if (pos < 1) return sorted[0];
      if (pos >= n) return sorted[n - 1];
      const lower = sorted[Math.floor(pos) - 1];
      const upper = sorted[Math.floor(pos)];
      return lower + (pos - Math.floor(pos)) * (upper - lower);
    });
  }
}
