// ACLs live in the metadata log: AccessControlEntryRecords written by CreateAcls are replayed
// after a restart (DescribeAcls lists them, and the authorizer enforces them), and a DeleteAcls
// after the restart removes them by their replayed ids.
import t from 'tap';
import kafkajs, { Kafka, logLevel } from 'kafkajs';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';

const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs as unknown as Record<string, Record<string, number>>;
const dir = tempDir(t, 'samsa-acl-restart-');
// PLAINTEXT clients are User:ANONYMOUS: made a super user so kafkajs can administer ACLs.
const config = { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'super.users': 'User:ANONYMOUS' };
const ANY = { resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY };

async function withBroker<T>(fn: (b: RunningBroker, kafka: Kafka) => Promise<T>): Promise<T> {
  const b = await startBroker({ port: 0, dataDir: dir, config });
  try {
    return await fn(b, new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } }));
  } finally {
    await b.close();
  }
}

t.test('ACLs survive a restart', async (t) => {
  await withBroker(async (_b, kafka) => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createAcls({
      acl: [
        { resourceType: AclResourceTypes.TOPIC, resourceName: 'orders', resourcePatternType: ResourcePatternTypes.PREFIXED, principal: 'User:alice', host: '*', operation: AclOperationTypes.READ, permissionType: AclPermissionTypes.ALLOW },
        { resourceType: AclResourceTypes.GROUP, resourceName: 'billing', resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:bob', host: '10.0.0.1', operation: AclOperationTypes.ALL, permissionType: AclPermissionTypes.DENY },
      ],
    });
    await admin.disconnect();
  });
  await withBroker(async (b, kafka) => {
    const admin = kafka.admin();
    await admin.connect();
    t.teardown(() => admin.disconnect());
    const listed = await admin.describeAcls(ANY);
    t.same(
      listed.resources.map((r) => [r.resourceType, r.resourceName, r.resourcePatternType, r.acls.map((a) => [a.principal, a.host, a.operation, a.permissionType])]).sort(),
      [
        [AclResourceTypes.GROUP, 'billing', ResourcePatternTypes.LITERAL, [['User:bob', '10.0.0.1', AclOperationTypes.ALL, AclPermissionTypes.DENY]]],
        [AclResourceTypes.TOPIC, 'orders', ResourcePatternTypes.PREFIXED, [['User:alice', '*', AclOperationTypes.READ, AclPermissionTypes.ALLOW]]],
      ].sort(),
      'both ACLs replayed from the metadata log',
    );
    t.equal(b.broker.authorizer!.authorize('User:alice', '1.2.3.4', AclOperationTypes.READ, AclResourceTypes.TOPIC, 'orders-eu'), true, 'the authorizer enforces the replayed ACLs');
    const deleted = await admin.deleteAcls({ filters: [{ ...ANY, resourceType: AclResourceTypes.GROUP }] });
    t.equal(deleted.filterResponses[0].matchingAcls.length, 1);
    t.same((await admin.describeAcls(ANY)).resources.map((r) => r.resourceName), ['orders']);
  });
});
