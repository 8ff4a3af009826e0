// The `quorum-state` file in the metadata log's partition dir: the election state a voter must
// not forget across a crash (epoch, the vote it cast, the leader it knows). Kafka's format: the
// JSON of QuorumStateData plus "data_version". A static quorum (kraft.version 0) writes version 0,
// as Kafka 4.4.0 does, e.g.
//   {"clusterId":"","leaderId":1,"leaderEpoch":1,"votedId":-1,"appliedOffset":0,"currentVoters":[{"voterId":1}],"data_version":0}
// and a dynamic one (kraft.version 1) version 1 with votedDirectoryId and no voters. Written
// atomically (temp file, fsync, rename, fsync of the dir) so a crash leaves the old or the new.
import { nodeFileSystem, readWholeFile, writeFileAtomic, type FileSystem } from '../storage/fs.js';

export const QUORUM_STATE_FILE = 'quorum-state';
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** What a voter persists; -1 for none, as in Kafka's file. */
export interface ElectionState {
  epoch: number;
  leaderId: number;
  votedId: number;
  /** The voted replica's directory id (kraft.version 1); the zero Uuid when unknown. */
  votedDirectoryId?: string;
}

export class QuorumStateFileError extends Error {}

export class QuorumStateFile {
  constructor(
    readonly dir: string,
    private readonly fs: FileSystem = nodeFileSystem,
  ) {}

  get path(): string {
    return `${this.dir}/${QUORUM_STATE_FILE}`;
  }

  /** The stored state, or null when there is no file yet (a fresh node). */
  async read(): Promise<ElectionState | null> {
    const raw = await readWholeFile(this.fs, this.path);
    if (raw === null) return null;
    return parseQuorumState(raw.toString('utf8'), this.path);
  }

  /** Replaces the file. `voters`: the static voter ids written by version 0 (kraft.version 0). */
  async write(state: ElectionState, voters: readonly number[] | null, kraftVersion = 0): Promise<void> {
    await writeFileAtomic(this.fs, this.dir, QUORUM_STATE_FILE, Buffer.from(formatQuorumState(state, voters, kraftVersion)));
  }
}

/** Kafka's JSON, its fields in the schema's order and data_version last. */
export function formatQuorumState(state: ElectionState, voters: readonly number[] | null, kraftVersion = 0): string {
  if (kraftVersion === 0) {
    return JSON.stringify({
      clusterId: '',
      leaderId: state.leaderId,
      leaderEpoch: state.epoch,
      votedId: state.votedId,
      appliedOffset: 0,
      currentVoters: voters === null ? null : voters.map((voterId) => ({ voterId })),
      data_version: 0,
    });
  }
  return JSON.stringify({
    leaderId: state.leaderId,
    leaderEpoch: state.epoch,
    votedId: state.votedId,
    votedDirectoryId: state.votedDirectoryId ?? ZERO_UUID,
    data_version: 1,
  });
}

export function parseQuorumState(text: string, where = QUORUM_STATE_FILE): ElectionState {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new QuorumStateFileError(`${where}: not JSON (${(e as Error).message})`);
  }
  const version = json?.data_version;
  if (version !== 0 && version !== 1) throw new QuorumStateFileError(`${where}: unknown data_version ${JSON.stringify(version)} (knows 0 and 1)`);
  const int = (name: string): number => {
    const v = json[name];
    if (!Number.isInteger(v)) throw new QuorumStateFileError(`${where}: ${name} is not an integer`);
    return v as number;
  };
  const state: ElectionState = { epoch: int('leaderEpoch'), leaderId: int('leaderId'), votedId: int('votedId') };
  if (version === 1 && typeof json.votedDirectoryId === 'string') state.votedDirectoryId = json.votedDirectoryId;
  return state;
}
