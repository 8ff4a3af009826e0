// An image written back as the records that rebuild it from empty (Kafka's MetadataImage.write):
// what a snapshot holds, and what the replay tests compare against.
import type { MetadataImage, PartitionRegistration } from './image.js';
import { RecordType, type MetadataRecord } from './records.js';
import { securityRecords } from './security-image.js';
import { aclRecords } from './acl-image.js';
import { clientQuotaRecords } from '../quota/client-quota-image.js';

export const PARTITION_RECORD_VERSION = 1;
export const REGISTER_BROKER_RECORD_VERSION = 3;

export function partitionRecord(topicId: string, partitionId: number, p: PartitionRegistration): MetadataRecord {
  // Eligible leader replicas need v2 (KIP-966); without any the record stays v1.
  const elr = (p.elr?.length ?? 0) > 0 || (p.lastKnownElr?.length ?? 0) > 0;
  return {
    type: RecordType.PARTITION,
    version: elr ? 2 : PARTITION_RECORD_VERSION,
    data: {
      ...(elr ? { eligibleLeaderReplicas: [...(p.elr ?? [])], lastKnownElr: [...(p.lastKnownElr ?? [])] } : {}),
      partitionId,
      topicId,
      replicas: [...p.replicas],
      isr: [...p.isr],
      removingReplicas: [...p.removingReplicas],
      addingReplicas: [...p.addingReplicas],
      leader: p.leader,
      leaderRecoveryState: p.leaderRecoveryState,
      leaderEpoch: p.leaderEpoch,
      partitionEpoch: p.partitionEpoch,
      directories: [...p.directories],
    },
  };
}

export function imageToRecords(image: MetadataImage): MetadataRecord[] {
  const out: MetadataRecord[] = [];
  // metadata.version first: it decides how everything after it is read.
  const features = [...image.features.finalized].sort((a, b) => (a[0] === 'metadata.version' ? -1 : b[0] === 'metadata.version' ? 1 : a[0] < b[0] ? -1 : 1));
  for (const [name, featureLevel] of features) out.push({ type: RecordType.FEATURE_LEVEL, version: 0, data: { name, featureLevel } });
  for (const b of image.cluster.brokers.values()) {
    out.push({
      type: RecordType.REGISTER_BROKER,
      version: REGISTER_BROKER_RECORD_VERSION,
      data: {
        brokerId: b.id,
        isMigratingZkBroker: false,
        incarnationId: b.incarnationId,
        brokerEpoch: b.epoch,
        endPoints: b.endpoints.map((e) => ({ ...e })),
        features: [...b.features].map(([name, r]) => ({ name, minSupportedVersion: r.min, maxSupportedVersion: r.max })),
        rack: b.rack,
        fenced: b.fenced,
        inControlledShutdown: b.inControlledShutdown,
        logDirs: [...b.logDirs],
      },
    });
  }
  for (const c of image.cluster.controllers.values()) {
    out.push({
      type: 27,
      version: 0,
      data: {
        controllerId: c.id,
        incarnationId: c.incarnationId,
        zkMigrationReady: false,
        endPoints: c.endpoints.map((e) => ({ ...e })),
        features: [...c.features].map(([name, r]) => ({ name, minSupportedVersion: r.min, maxSupportedVersion: r.max })),
      },
    });
  }
  for (const t of image.topics.byId.values()) {
    out.push({ type: RecordType.TOPIC, version: 0, data: { name: t.name, topicId: t.topicId } });
    for (const [id, p] of t.registrations) out.push(partitionRecord(t.topicId, id, p));
  }
  for (const [key, data] of image.configs.resources) {
    const colon = key.indexOf(':');
    const resourceType = Number(key.slice(0, colon));
    const resourceName = key.slice(colon + 1);
    for (const [name, value] of data) out.push({ type: RecordType.CONFIG, version: 0, data: { resourceType, resourceName, name, value } });
  }
  if (image.producerIds.nextProducerId > 0) {
    out.push({ type: RecordType.PRODUCER_IDS, version: 0, data: { brokerId: -1, brokerEpoch: -1, nextProducerId: image.producerIds.nextProducerId } });
  }
  out.push(...securityRecords(image.scram, image.delegationTokens));
  out.push(...aclRecords(image.acls));
  out.push(...clientQuotaRecords(image.clientQuotas));
  return out;
}
