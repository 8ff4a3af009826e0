// Just enough of OTLP's MetricsData protobuf (what KIP-714 clients push) to list each metric's
// data points: name, value (gauge and sum points; count and sum of histograms) and attributes.

interface Field {
  no: number;
  wire: number;
  /** Varint value (wire 0) or the bytes (wire 1, 2, 5). */
  int: bigint;
  bytes: Buffer;
}

function* fields(b: Buffer): Generator<Field> {
  let pos = 0;
  const varint = (): bigint => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= b.length) throw new RangeError('truncated varint');
      const byte = b[pos++];
      v |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return v;
      shift += 7n;
    }
  };
  while (pos < b.length) {
    const tag = Number(varint());
    const no = tag >>> 3;
    const wire = tag & 7;
    if (wire === 0) yield { no, wire, int: varint(), bytes: Buffer.alloc(0) };
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (pos + n > b.length) throw new RangeError('truncated fixed field');
      yield { no, wire, int: 0n, bytes: b.subarray(pos, pos + n) };
      pos += n;
    } else if (wire === 2) {
      const n = Number(varint());
      if (pos + n > b.length) throw new RangeError('truncated field');
      yield { no, wire, int: 0n, bytes: b.subarray(pos, pos + n) };
      pos += n;
    } else throw new RangeError(`unsupported wire type ${wire}`);
  }
}

function children(b: Buffer, no: number): Buffer[] {
  const out: Buffer[] = [];
  for (const f of fields(b)) if (f.no === no && f.wire === 2) out.push(f.bytes);
  return out;
}

function anyValue(b: Buffer): string {
  for (const f of fields(b)) {
    if (f.no === 1) return f.bytes.toString('utf8');
    if (f.no === 2) return String(f.int !== 0n);
    if (f.no === 3) return BigInt.asIntN(64, f.int).toString();
    if (f.no === 4) return String(f.bytes.readDoubleLE(0));
  }
  return '';
}

function attributes(point: Buffer, no: number): string {
  return children(point, no)
    .map((kv) => {
      let key = '';
      let value = '';
      for (const f of fields(kv)) {
        if (f.no === 1) key = f.bytes.toString('utf8');
        if (f.no === 2) value = anyValue(f.bytes);
      }
      return `${key}=${value}`;
    })
    .join(', ');
}

function numberPoint(point: Buffer): string {
  for (const f of fields(point)) {
    if (f.no === 4 && f.wire === 1) return String(f.bytes.readDoubleLE(0));
    if (f.no === 6 && f.wire === 1) return f.bytes.readBigInt64LE(0).toString();
  }
  return '';
}

function histogramPoint(point: Buffer): string {
  let count = '';
  let sum = '';
  for (const f of fields(point)) {
    if (f.no === 4 && f.wire === 1) count = f.bytes.readBigUInt64LE(0).toString();
    if (f.no === 5 && f.wire === 1) sum = String(f.bytes.readDoubleLE(0));
  }
  return `count ${count}${sum ? `, sum ${sum}` : ''}`;
}

export interface MetricPoint {
  name: string;
  value: string;
  attributes: string;
}

/** Every data point of every metric in an OTLP MetricsData message; an unreadable one yields one row saying so. */
export function metricsSummary(data: Buffer): MetricPoint[] {
  const out: MetricPoint[] = [];
  try {
    for (const rm of children(data, 1)) {
      for (const sm of children(rm, 2)) {
        for (const metric of children(sm, 2)) {
          let name = '';
          for (const f of fields(metric)) {
            if (f.no === 1) name = f.bytes.toString('utf8');
            // gauge (5) and sum (7) hold NumberDataPoints, histogram (9) HistogramDataPoints.
            if (f.no === 5 || f.no === 7) for (const p of children(f.bytes, 1)) out.push({ name, value: numberPoint(p), attributes: attributes(p, 7) });
            if (f.no === 9) for (const p of children(f.bytes, 1)) out.push({ name, value: histogramPoint(p), attributes: attributes(p, 9) });
          }
        }
      }
    }
  } catch (e) {
    out.push({ name: '(unreadable OTLP data)', value: (e as Error).message, attributes: '' });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.attributes.localeCompare(b.attributes));
}
