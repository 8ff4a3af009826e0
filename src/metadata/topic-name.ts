// Kafka's topic name rules (org.apache.kafka.common.internals.Topic), with the messages the
// KRaft controller answers CreateTopics with.
const LEGAL = /^[a-zA-Z0-9._-]+$/;
export const MAX_TOPIC_NAME_LENGTH = 249;
/** The metadata log's topic: never a user topic. */
export const CLUSTER_METADATA_TOPIC = '__cluster_metadata';

/** Returns why `name` is not a legal topic name, or null when it is. */
export function invalidTopicNameReason(name: string): string | null {
  if (name.length === 0) return 'Topic name is invalid: the empty string is not allowed';
  if (name === '.' || name === '..') return `Topic name is invalid: '${name}' is not allowed`;
  if (name.length > MAX_TOPIC_NAME_LENGTH)
    return `Topic name is invalid: the length of '${name}' is longer than the max allowed length ${MAX_TOPIC_NAME_LENGTH}`;
  if (!LEGAL.test(name))
    return `Topic name is invalid: '${name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'`;
  return null;
}

export function isInternalTopic(name: string): boolean {
  return name === '__consumer_offsets' || name === '__transaction_state' || name === '__share_group_state';
}
