// Reads partitions back with kafkajs's own Fetch request encoder and record-batch decoder
// (its internal Cluster and Broker classes), since consumer groups are not served yet and
// kafkajs's public consumer needs them. Pages through a partition by offset.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-var-requires */
const Cluster = require('kafkajs/src/cluster');
const { createLogger, LEVELS } = require('kafkajs/src/loggers');
const LoggerConsole = require('kafkajs/src/loggers/console');
const defaultSocketFactory = require('kafkajs/src/network/socketFactory');

export interface FetchedMessage {
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  /** kafkajs folds repeated header keys into arrays. */
  headers: Record<string, Buffer | Buffer[]>;
  timestamp: number;
  /** From the record batch the message came in. */
  batch: { firstOffset: number; producerId: number; producerEpoch: number; firstSequence: number; timestampType: number };
}

interface KjsMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[]>;
  timestamp: string;
  isControlRecord: boolean;
  batchContext: { firstOffset: string; producerId: string; producerEpoch: number; firstSequence: number; timestampType: number };
}

export class KafkajsReader {
  private constructor(private readonly cluster: any) {}

  static async connect(bootstrap: string, clientId = 'samsa-e2e-reader'): Promise<KafkajsReader> {
    const cluster = new Cluster({
      logger: createLogger({ level: LEVELS.NOTHING, logCreator: LoggerConsole }),
      socketFactory: defaultSocketFactory(),
      brokers: [bootstrap],
      clientId,
      connectionTimeout: 5000,
      requestTimeout: 15000,
      enforceRequestTimeout: true,
      metadataMaxAge: 300000,
      retry: { retries: 1 },
      allowAutoTopicCreation: false,
    });
    await cluster.connect();
    return new KafkajsReader(cluster);
  }

  private async leader(topic: string, partition: number): Promise<any> {
    await this.cluster.addTargetTopic(topic);
    const meta = this.cluster.findTopicPartitionMetadata(topic).find((p: any) => p.partitionId === partition);
    if (!meta) throw new Error(`kafkajs sees no partition ${topic}-${partition} in the metadata`);
    return this.cluster.findBroker({ nodeId: String(meta.leader) });
  }

  /** Reads [fromOffset, high watermark) of one partition; every offset once, in log order. */
  async readPartition(
    topic: string,
    partition: number,
    opts: { fromOffset?: number; partitionMaxBytes?: number } = {},
  ): Promise<{ messages: FetchedMessage[]; highWatermark: number }> {
    const broker = await this.leader(topic, partition);
    const messages: FetchedMessage[] = [];
    let offset = opts.fromOffset ?? 0;
    let highWatermark = -1;
    for (let rounds = 0; rounds < 100_000; rounds++) {
      const res = await broker.fetch({
        replicaId: -1,
        maxWaitTime: 50,
        minBytes: 1,
        maxBytes: 4 << 20,
        topics: [{ topic, partitions: [{ partition, fetchOffset: String(offset), maxBytes: opts.partitionMaxBytes ?? 256 << 10 }] }],
      });
      const p = res.responses[0].partitions[0];
      if (p.errorCode !== 0) throw new Error(`fetch ${topic}-${partition} at ${offset}: error code ${p.errorCode}`);
      highWatermark = Number(p.highWatermark);
      // A fetch starts at the batch holding `offset`: drop the records before it.
      const fresh = (p.messages as KjsMessage[]).filter((m) => Number(m.offset) >= offset && !m.isControlRecord);
      if (fresh.length === 0) {
        if (offset >= highWatermark) break;
        throw new Error(`fetch ${topic}-${partition} at ${offset} returned nothing below the high watermark ${highWatermark}`);
      }
      for (const m of fresh) {
        messages.push({
          offset: Number(m.offset),
          key: m.key,
          value: m.value,
          headers: m.headers,
          timestamp: Number(m.timestamp),
          batch: {
            firstOffset: Number(m.batchContext.firstOffset),
            producerId: Number(m.batchContext.producerId),
            producerEpoch: m.batchContext.producerEpoch,
            firstSequence: m.batchContext.firstSequence,
            timestampType: m.batchContext.timestampType,
          },
        });
      }
      offset = messages[messages.length - 1].offset + 1;
    }
    return { messages, highWatermark };
  }

  async close(): Promise<void> {
    await this.cluster.disconnect();
  }
}
