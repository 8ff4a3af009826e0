// Replica placement as Kafka 4.4's StripedReplicaPlacer does it: racks are taken round-robin from a
// random start that moves on by one per partition (the "stripes"), and brokers round-robin within
// each rack from a random start; unfenced brokers first, fenced ones only when a rack has no
// unfenced broker left, and never as a leader. Once as many partitions as unfenced brokers are
// placed, racks and brokers are shuffled to avoid repeating the same replica sets. Given the same
// seed, brokers in the same order, it places exactly as Kafka does (test/replica/placement.test.ts).
import { ErrorCode } from '../protocol/errors.js';
import { KafkaError } from '../storage/types.js';
import { JavaRandom, javaHashMapOrder, javaShuffle, javaStringHash } from './java-random.js';

/** A broker the controller may place replicas on (registered, not in controlled shutdown). */
export interface UsableBroker {
  id: number;
  rack: string | null;
  fenced: boolean;
}

export interface PlacementSpec {
  numPartitions: number;
  numReplicas: number;
}

/** Brokers taken in turn from a moving start; the start moves on at each new epoch (partition). */
class BrokerList {
  readonly brokers: number[] = [];
  private index = 0;
  private offset = 0;
  private epoch = 0;

  initialize(random: JavaRandom): void {
    if (this.brokers.length === 0) return;
    this.brokers.sort((a, b) => a - b);
    this.offset = random.nextInt(this.brokers.length);
  }

  /** The next broker of this epoch, or -1 when every one was returned. */
  next(epoch: number): number {
    const n = this.brokers.length;
    if (n === 0) return -1;
    if (this.epoch !== epoch) {
      this.epoch = epoch;
      this.index = 0;
      this.offset = (this.offset + 1) % n;
    }
    if (this.index >= n) return -1;
    return this.brokers[(this.index++ + this.offset) % n];
  }
}

class Rack {
  readonly fenced = new BrokerList();
  readonly unfenced = new BrokerList();

  initialize(random: JavaRandom): void {
    this.fenced.initialize(random);
    this.unfenced.initialize(random);
  }

  shuffle(random: JavaRandom): void {
    javaShuffle(this.fenced.brokers, random);
    javaShuffle(this.unfenced.brokers, random);
  }

  next(epoch: number): number {
    const broker = this.unfenced.next(epoch);
    return broker >= 0 ? broker : this.fenced.next(epoch);
  }
}

/** Kafka's rack order: no rack first, then by name. */
function compareRacks(a: string | null, b: string | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

class RackList {
  private readonly racks = new Map<string | null, Rack>();
  /** The racks in the order Kafka's HashMap holds them (the order random numbers are drawn in). */
  private readonly hashOrder: Rack[];
  private readonly rackNames: (string | null)[] = [];
  readonly numTotalBrokers: number;
  readonly numUnfencedBrokers: number;
  private epoch = 0;
  private offset: number;

  constructor(
    private readonly random: JavaRandom,
    brokers: Iterable<UsableBroker>,
  ) {
    let total = 0;
    let unfenced = 0;
    for (const b of brokers) {
      let rack = this.racks.get(b.rack);
      if (!rack) {
        rack = new Rack();
        this.racks.set(b.rack, rack);
        this.rackNames.push(b.rack);
      }
      if (b.fenced) rack.fenced.brokers.push(b.id);
      else {
        rack.unfenced.brokers.push(b.id);
        unfenced++;
      }
      total++;
    }
    this.hashOrder = javaHashMapOrder(this.rackNames, (name) => (name === null ? 0 : javaStringHash(name))).map((name) => this.racks.get(name)!);
    for (const rack of this.hashOrder) rack.initialize(random);
    this.rackNames.sort(compareRacks);
    this.numTotalBrokers = total;
    this.numUnfencedBrokers = unfenced;
    this.offset = this.rackNames.length === 0 ? 0 : random.nextInt(this.rackNames.length);
  }

  place(replicationFactor: number): number[] {
    checkPositive(replicationFactor);
    checkEnoughBrokers(replicationFactor, this.numTotalBrokers);
    checkAnyUnfenced(this.numUnfencedBrokers);
    // As many partitions placed as there are unfenced brokers: shuffle so the next ones differ
    // (never with a single unfenced broker, whose epochs would otherwise never end).
    if (this.epoch === this.numUnfencedBrokers && this.numUnfencedBrokers > 1) {
      this.shuffle();
      this.epoch = 0;
    }
    if (this.offset === this.rackNames.length) this.offset = 0;
    const n = this.rackNames.length;
    const replicas: number[] = [];
    // The leader: the first unfenced broker from the starting rack on.
    let firstRack = this.offset;
    for (;;) {
      const leader = this.racks.get(this.rackNames[firstRack])!.unfenced.next(this.epoch);
      if (leader >= 0) {
        replicas.push(leader);
        break;
      }
      if (++firstRack === n) firstRack = 0;
    }
    // Followers: one per rack in turn from the starting rack, skipping the leader's rack once.
    let rackIndex = this.offset;
    for (let i = 1; i < replicationFactor; i++) {
      let broker = -1;
      do {
        if (rackIndex === firstRack) firstRack = -1;
        else broker = this.racks.get(this.rackNames[rackIndex])!.next(this.epoch);
        if (++rackIndex === n) rackIndex = 0;
      } while (broker < 0);
      replicas.push(broker);
    }
    this.epoch++;
    this.offset++;
    return replicas;
  }

  private shuffle(): void {
    javaShuffle(this.rackNames, this.random);
    for (const rack of this.hashOrder) rack.shuffle(this.random);
  }
}

export class StripedReplicaPlacer {
  constructor(private readonly random: JavaRandom = JavaRandom.unseeded()) {}

  /**
   * The replicas of each new partition, leader first. Throws KafkaError(INVALID_REPLICATION_FACTOR)
   * with Kafka's message when the factor is not positive, no broker is unfenced, or there are
   * fewer usable brokers than the factor.
   */
  place(spec: PlacementSpec, brokers: Iterable<UsableBroker>): number[][] {
    const racks = new RackList(this.random, brokers);
    checkPositive(spec.numReplicas);
    checkAnyUnfenced(racks.numUnfencedBrokers);
    checkEnoughBrokers(spec.numReplicas, racks.numTotalBrokers);
    const out: number[][] = [];
    for (let p = 0; p < spec.numPartitions; p++) out.push(racks.place(spec.numReplicas));
    return out;
  }
}

function invalid(message: string): KafkaError {
  return new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, message);
}

function checkPositive(replicationFactor: number): void {
  if (replicationFactor <= 0) throw invalid(`Invalid replication factor ${replicationFactor}: the replication factor must be positive.`);
}

function checkAnyUnfenced(unfenced: number): void {
  if (unfenced === 0) throw invalid('All brokers are currently fenced, or have all their log directories cordoned.');
}

function checkEnoughBrokers(replicationFactor: number, total: number): void {
  if (replicationFactor > total) {
    throw invalid(
      `The target replication factor of ${replicationFactor} cannot be reached because only ${total} broker(s) are registered or some brokers have all their log directories cordoned.`,
    );
  }
}
