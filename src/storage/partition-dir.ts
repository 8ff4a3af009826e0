// Kafka's partition directory name, `<topic>-<partition>`. Topic names may hold '-' and '.',
// so the partition is what follows the last '-'.

export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** The topic and partition a directory name stands for, or null for any other name. */
export function parsePartitionDir(name: string): { topic: string; partition: number } | null {
  const dash = name.lastIndexOf('-');
  if (dash <= 0) return null;
  const digits = name.slice(dash + 1);
  if (!/^\d{1,10}$/.test(digits)) return null;
  const partition = Number(digits);
  if (partition > 2147483647) return null;
  return { topic: name.slice(0, dash), partition };
}
