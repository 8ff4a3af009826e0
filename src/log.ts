// Minimal leveled logger on stderr; stdout carries only the broker's "listening on" line.
// Lines by default; `--log-format json` (SAMSA_LOG_FORMAT=json) writes one JSON object a line.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'text' | 'json';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A level as people write it (log4j's TRACE and WARNING included), or undefined. */
export function parseLogLevel(s: string): LogLevel | undefined {
  const l = s.trim().toLowerCase();
  if (l === 'trace') return 'debug';
  if (l === 'warning') return 'warn';
  if (l === 'fatal' || l === 'off') return 'error';
  return l in ORDER ? (l as LogLevel) : undefined;
}

export function parseLogFormat(s: string): LogFormat | undefined {
  const f = s.trim().toLowerCase();
  return f === 'json' ? 'json' : f === 'text' || f === 'line' || f === 'lines' ? 'text' : undefined;
}

let threshold = ORDER[parseLogLevel(process.env.SAMSA_LOG_LEVEL ?? '') ?? 'info'];
let format: LogFormat = parseLogFormat(process.env.SAMSA_LOG_FORMAT ?? '') ?? 'text';

export function setLogLevel(level: LogLevel): void {
  threshold = ORDER[level];
}

export function setLogFormat(f: LogFormat): void {
  format = f;
}

function emit(level: LogLevel, msg: string): void {
  if (ORDER[level] < threshold) return;
  const time = new Date().toISOString();
  process.stderr.write(
    format === 'json'
      ? JSON.stringify({ time, level: level.toUpperCase(), message: msg }) + '\n'
      : `[${time}] ${level.toUpperCase()} ${msg}\n`,
  );
}

export const log = {
  debug: (msg: string) => emit('debug', msg),
  info: (msg: string) => emit('info', msg),
  warn: (msg: string) => emit('warn', msg),
  error: (msg: string) => emit('error', msg),
};
