// Metadata changes sent to one broker of a cluster (which forwards them to the active controller),
// retried as Kafka's admin client retries while the controller moves (NOT_CONTROLLER, timeouts).
import { codecRequest } from '../metadata/helpers.js';
import { sleep } from './timeout.js';

const RETRIABLE = new Set([
  7, // REQUEST_TIMED_OUT
  41, // NOT_CONTROLLER
  8, // BROKER_NOT_AVAILABLE (no controller known)
]);
const TOPIC_ALREADY_EXISTS = 36;

/** One CreateTopics v7 to `hostPort`; the topic's error code (thrown connection errors pass through). */
export async function createTopicOnce(hostPort: string, name: string, partitions = 1, timeoutMs = 5000): Promise<number> {
  const [host, port] = hostPort.split(':');
  const res = await codecRequest(host, Number(port), 'CreateTopics', 7, {
    topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs,
    validateOnly: false,
  });
  return res.topics[0].errorCode;
}

/**
 * Creates the topic through any of `brokers`, retrying retriable answers and dead brokers until
 * `timeoutMs`; TOPIC_ALREADY_EXISTS after a retry counts as created (an earlier try committed).
 */
export async function createTopic(brokers: string[], name: string, timeoutMs = 30_000, partitions = 1): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let tries = 0;
  let last = '';
  while (Date.now() < deadline) {
    const b = brokers[tries++ % brokers.length];
    try {
      const code = await createTopicOnce(b, name, partitions);
      if (code === 0 || (code === TOPIC_ALREADY_EXISTS && tries > 1)) return;
      if (!RETRIABLE.has(code)) throw new Error(`CreateTopics ${name} at ${b}: error ${code}`);
      last = `error ${code} from ${b}`;
    } catch (e) {
      if ((e as Error).message.startsWith('CreateTopics')) throw e;
      last = `${b}: ${(e as Error).message}`;
    }
    await sleep(200);
  }
  throw new Error(`CreateTopics ${name}: not created within ${timeoutMs} ms (last: ${last})`);
}
