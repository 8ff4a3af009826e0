// `samsa format` and `samsa random-uuid`, as Kafka 4.4's `kafka-storage format` / `random-uuid`:
// the same flags (-t/--cluster-id, -c/--config FILE, -s/--standalone, -I/--initial-controllers,
// -N/--no-initial-controllers, -g/--ignore-formatted, -S/--add-scram), the same lines on stdout, a
// refusal as one line on stderr and exit code 1.
import { BOOTSTRAP_FEATURES, LATEST_METADATA_VERSION } from '../metadata/features.js';
import type { MetadataRecord } from '../metadata/records.js';
import { randomUuid } from '../metadata/uuid.js';
import { parseScramArguments } from '../security/scram/scram-parser.js';
import { resolveNodeConfig } from './config.js';
import { formatNode } from './format.js';
import { readPropertiesFile } from './properties.js';

export const FORMAT_USAGE = `usage: samsa format --config CONFIG --cluster-id CLUSTER_ID [--add-scram ADD_SCRAM] [--ignore-formatted]
                    [--standalone | --no-initial-controllers | --initial-controllers INITIAL_CONTROLLERS]`;

interface Out {
  write(s: string): unknown;
}

/** A byte array as Java's Arrays.toString prints it (signed bytes). */
const javaBytes = (b: Buffer) => `[${[...b].map((x) => (x << 24) >> 24).join(', ')}]`;

/** kafka-storage's first line: the bootstrap metadata it writes. */
function bootstrapLine(extra: MetadataRecord[]): string {
  const records = [
    ...[...BOOTSTRAP_FEATURES].map(([name, level]) => `ApiMessageAndVersion(FeatureLevelRecord(name='${name}', featureLevel=${level}) at version 0)`),
    ...extra.map(
      ({ data: d, version }) =>
        `ApiMessageAndVersion(UserScramCredentialRecord(name='${d.name}', mechanism=${d.mechanism}, salt=${javaBytes(d.salt)}, storedKey=${javaBytes(d.storedKey)}, serverKey=${javaBytes(d.serverKey)}, iterations=${d.iterations}) at version ${version})`,
    ),
  ].join(', ');
  return `Bootstrap metadata: BootstrapMetadata(records=[${records}], metadataVersionLevel=${LATEST_METADATA_VERSION}, source=format command)`;
}

class FormatUsageError extends Error {}

interface FormatArgs {
  clusterId?: string;
  config?: string;
  standalone: boolean;
  initialControllers?: string;
  noInitialControllers: boolean;
  ignoreFormatted: boolean;
  /** --add-scram, once per credential. */
  addScram: string[];
}

function parseFormatArgs(argv: string[]): FormatArgs {
  const a: FormatArgs = { standalone: false, noInitialControllers: false, ignoreFormatted: false, addScram: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const [flag, inline] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new FormatUsageError(`argument ${flag}: expected one argument`);
      return v;
    };
    switch (flag) {
      case '-t': case '--cluster-id': a.clusterId = value(); break;
      case '-c': case '--config': a.config = value(); break;
      case '-s': case '--standalone': a.standalone = true; break;
      case '-I': case '--initial-controllers': a.initialControllers = value(); break;
      case '-N': case '--no-initial-controllers': a.noInitialControllers = true; break;
      case '-g': case '--ignore-formatted': a.ignoreFormatted = true; break;
      case '-S': case '--add-scram': a.addScram.push(value()); break;
      default: throw new FormatUsageError(`unrecognized arguments: '${arg}'`);
    }
  }
  if (a.config === undefined) throw new FormatUsageError('argument --config/-c is required');
  if (a.clusterId === undefined) throw new FormatUsageError('argument --cluster-id/-t is required');
  const quorumFlags = [a.standalone && '--standalone/-s', a.noInitialControllers && '--no-initial-controllers/-N', a.initialControllers !== undefined && '--initial-controllers/-I'].filter(Boolean);
  if (quorumFlags.length > 1) throw new FormatUsageError(`argument ${quorumFlags[1]}: not allowed with argument ${quorumFlags[0]}`);
  return a;
}

/** Runs `samsa format ARGS`; resolves to the exit code. */
export async function runFormatCommand(argv: string[], out: Out = process.stdout, err: Out = process.stderr): Promise<number> {
  let a: FormatArgs;
  try {
    a = parseFormatArgs(argv);
  } catch (e) {
    err.write(`${FORMAT_USAGE}\nsamsa format: error: ${(e as Error).message}\n`);
    return 1;
  }
  try {
    const config = resolveNodeConfig(Object.fromEntries(readPropertiesFile(a.config!)));
    // Like kafka-storage, the bootstrap line only once the checks have passed.
    let first = true;
    let records: MetadataRecord[] = [];
    await formatNode({
      clusterId: a.clusterId!,
      config,
      standalone: a.standalone,
      initialControllers: a.initialControllers,
      noInitialControllers: a.noInitialControllers,
      ignoreFormatted: a.ignoreFormatted,
      bootstrapRecords: () => (records = parseScramArguments(a.addScram)),
      print: (line) => {
        if (first) out.write(bootstrapLine(records) + '\n');
        first = false;
        out.write(line + '\n');
      },
    });
    return 0;
  } catch (e) {
    err.write(`${(e as Error).message}\n`);
    return 1;
  }
}

/** `samsa random-uuid`: a fresh cluster id as Kafka prints one. */
export function runRandomUuidCommand(out: Out = process.stdout): number {
  out.write(randomUuid() + '\n');
  return 0;
}
