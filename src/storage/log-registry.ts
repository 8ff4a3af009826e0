// A storage engine's partition logs by topic, then partition number: produce and fetch look a log
// up for every partition they touch, and a lookup that builds no key string allocates nothing.

export class LogRegistry<L> {
  private readonly byTopic = new Map<string, (L | undefined)[]>();

  get(topic: string, partition: number): L | undefined {
    return this.byTopic.get(topic)?.[partition];
  }

  set(topic: string, partition: number, log: L): void {
    let logs = this.byTopic.get(topic);
    if (logs === undefined) this.byTopic.set(topic, (logs = []));
    logs[partition] = log;
  }

  /** Removes and returns the log, if there was one. */
  delete(topic: string, partition: number): L | undefined {
    const logs = this.byTopic.get(topic);
    const log = logs?.[partition];
    if (logs === undefined || log === undefined) return undefined;
    logs[partition] = undefined;
    if (logs.every((l) => l === undefined)) this.byTopic.delete(topic);
    return log;
  }

  *values(): IterableIterator<L> {
    for (const logs of this.byTopic.values()) for (const log of logs) if (log !== undefined) yield log;
  }

  clear(): void {
    this.byTopic.clear();
  }
}
