// Error codes in a response, counted as Kafka's AbstractResponse.errorCounts mostly counts them:
// every errorCode field, top level and nested (topics, partitions, groups...). One walk over the
// response's structure per response (per partition, never into record bytes).

/** Adds each errorCode in `response` to `into` (code -> count); `skipTopLevel` leaves the response's own out. */
export function countErrors(response: unknown, into: Map<number, number>, skipTopLevel = false): void {
  if (response === null || typeof response !== 'object' || Buffer.isBuffer(response)) return;
  if (Array.isArray(response)) {
    for (const x of response) if (x !== null && typeof x === 'object') countErrors(x, into);
    return;
  }
  const o = response as Record<string, unknown>;
  for (const key in o) {
    const v = o[key];
    if (key === 'errorCode' && typeof v === 'number') {
      if (!skipTopLevel) into.set(v, (into.get(v) ?? 0) + 1);
    } else if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) countErrors(v, into);
  }
}
