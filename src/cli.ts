// `samsa`: parse flags, start the broker, print one "listening on" line, stop cleanly on signals.
import { performance } from 'node:perf_hooks';
import { startBroker } from './index.js';
import type { BrokerOptions } from './broker.js';
import { log } from './log.js';

const USAGE = `usage: samsa [--host 127.0.0.1] [--port 9092] [--data-dir ./samsa-data | --memory]
             [--advertised-host H] [--advertised-port P] [--config key=value ...]`;

class UsageError extends Error {}

/** How long SIGTERM/SIGINT wait for the responses to requests already being handled. */
export const SHUTDOWN_DRAIN_MS = 5000;

export function parseArgs(argv: string[]): BrokerOptions {
  const opts: BrokerOptions = { config: {} };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  const port = (v: string, flag: string): number => {
    if (!/^\d+$/.test(v) || Number(v) > 65535) throw new UsageError(`${flag}: '${v}' is not a port number`);
    return Number(v);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const [flag, inline] = arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const take = () => inline ?? value(i++, flag);
    switch (flag) {
      case '--host': opts.host = take(); break;
      case '--port': opts.port = port(take(), flag); break;
      case '--data-dir': opts.dataDir = take(); break;
      case '--memory': opts.memory = true; break;
      case '--advertised-host': opts.advertisedHost = take(); break;
      case '--advertised-port': opts.advertisedPort = port(take(), flag); break;
      case '--config': {
        const kv = take();
        const at = kv.indexOf('=');
        if (at <= 0) throw new UsageError(`--config expects key=value, got '${kv}'`);
        opts.config![kv.slice(0, at)] = kv.slice(at + 1);
        break;
      }
      case '--help': case '-h':
        process.stdout.write(USAGE + '\n');
        process.exit(0);
      default:
        throw new UsageError(`unknown argument '${arg}'`);
    }
  }
  if (opts.memory && opts.dataDir) throw new UsageError('--data-dir and --memory exclude each other');
  return opts;
}

export async function main(): Promise<void> {
  let opts: BrokerOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`samsa: ${(e as Error).message} (see samsa --help)\n`);
    process.exit(2);
  }
  let running;
  try {
    running = await startBroker(opts);
  } catch (e) {
    process.stderr.write(`samsa: cannot start: ${(e as Error).message}\n`);
    process.exit(1);
  }
  const ms = Math.round(performance.now());
  process.stdout.write(`samsa listening on ${running.host}:${running.port} (started in ${ms} ms)\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: shutting down`);
    // Stop accepting and reading, answer what is being handled, then flush and close the logs.
    running.broker.close({ drainMs: SHUTDOWN_DRAIN_MS }).then(
      () => process.exit(0),
      (e) => {
        process.stderr.write(`samsa: error during shutdown: ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

