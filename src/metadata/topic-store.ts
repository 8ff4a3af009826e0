// Topics, their ids, partition counts and config overrides, plus producer-id blocks.
// Persisted as one JSON document replaced atomically (tmp + rename); the KRaft-style
// metadata log (issue 4) replaces this file without changing the interface.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { randomUuid } from './uuid.js';

export interface TopicInfo {
  name: string;
  topicId: string;
  partitions: number;
  configs: Record<string, string>;
}

interface Persisted {
  clusterId: string;
  nextProducerIdBlock: number;
  topics: TopicInfo[];
}

/** Producer ids are handed out from blocks reserved durably first, as Kafka's ProducerIdsRecord. */
const PRODUCER_ID_BLOCK = 1000;

export class TopicStore {
  private readonly byName = new Map<string, TopicInfo>();
  private readonly byId = new Map<string, TopicInfo>();
  clusterId = randomUuid();
  private nextProducerIdBlock = 0;
  private nextProducerId = 0;
  private producerIdLimit = 0;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly file: string | null) {}

  async load(): Promise<void> {
    if (!this.file) return;
    let text: string;
    try {
      text = await fsp.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return this.persist();
      throw e;
    }
    const doc = JSON.parse(text) as Persisted;
    this.clusterId = doc.clusterId;
    this.nextProducerIdBlock = doc.nextProducerIdBlock;
    for (const t of doc.topics) this.index(t);
  }

  get(name: string): TopicInfo | undefined {
    return this.byName.get(name);
  }

  getById(topicId: string): TopicInfo | undefined {
    return this.byId.get(topicId);
  }

  all(): IterableIterator<TopicInfo> {
    return this.byName.values();
  }

  async create(name: string, partitions: number, configs: Record<string, string>): Promise<TopicInfo> {
    const info: TopicInfo = { name, topicId: randomUuid(), partitions, configs };
    this.index(info);
    await this.persist();
    return info;
  }

  async delete(name: string): Promise<void> {
    const t = this.byName.get(name);
    if (!t) return;
    this.byName.delete(name);
    this.byId.delete(t.topicId);
    await this.persist();
  }

  /** A producer id never handed out before, also across restarts. */
  async allocateProducerId(): Promise<number> {
    if (this.nextProducerId >= this.producerIdLimit) {
      const start = this.nextProducerIdBlock;
      this.nextProducerIdBlock = start + PRODUCER_ID_BLOCK;
      await this.persist();
      this.nextProducerId = start;
      this.producerIdLimit = start + PRODUCER_ID_BLOCK;
    }
    return this.nextProducerId++;
  }

  private index(t: TopicInfo): void {
    this.byName.set(t.name, t);
    this.byId.set(t.topicId, t);
  }

  private persist(): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    const doc: Persisted = {
      clusterId: this.clusterId,
      nextProducerIdBlock: this.nextProducerIdBlock,
      topics: [...this.byName.values()],
    };
    const text = JSON.stringify(doc, null, 1);
    // Writes are chained so a later state never gets overwritten by an earlier one.
    this.writing = this.writing.then(async () => {
      const tmp = `${file}.tmp`;
      const fh = await fsp.open(tmp, 'w');
      try {
        await fh.writeFile(text);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fsp.rename(tmp, file);
    });
    return this.writing;
  }

  static fileIn(dataDir: string): string {
    return path.join(dataDir, 'samsa-topics.json');
  }
}
