// A static group member (KIP-345) speaking kafkajs's own wire encoders: kafkajs's consumer has no
// group.instance.id, but its protocol layer has JoinGroup v5 / SyncGroup v3 / Heartbeat v3 with
// the field. Each instance owns its connection, like a client process. Raw responses come back
// (errors included) so tests can check the codes.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Cluster = require('kafkajs/src/cluster');
const { createLogger, LEVELS } = require('kafkajs/src/loggers');
const LoggerConsole = require('kafkajs/src/loggers/console');
const defaultSocketFactory = require('kafkajs/src/network/socketFactory');
const { MemberMetadata, MemberAssignment } = require('kafkajs/src/consumer/assignerProtocol');
const joinV5 = require('kafkajs/src/protocol/requests/joinGroup/v5/request');
const joinV5Response = require('kafkajs/src/protocol/requests/joinGroup/v5/response');
const syncV3 = require('kafkajs/src/protocol/requests/syncGroup/v3/request');
const syncV3Response = require('kafkajs/src/protocol/requests/syncGroup/v3/response');
const heartbeatV3 = require('kafkajs/src/protocol/requests/heartbeat/v3/request');
const heartbeatV3Response = require('kafkajs/src/protocol/requests/heartbeat/v3/response');

export interface JoinResult {
  errorCode: number;
  generationId: number;
  groupProtocol: string;
  leaderId: string;
  memberId: string;
  members: { memberId: string; groupInstanceId: string | null; memberMetadata: Buffer }[];
}

export class KafkajsStaticMember {
  memberId = '';
  generationId = -1;

  private constructor(
    private readonly cluster: any,
    private readonly connection: any,
    readonly groupId: string,
    readonly instanceId: string,
    private readonly topic: string,
    private readonly sessionTimeout: number,
  ) {}

  static async connect(bootstrap: string, groupId: string, instanceId: string, topic: string, sessionTimeout: number): Promise<KafkajsStaticMember> {
    const cluster = new Cluster({
      logger: createLogger({ level: LEVELS.NOTHING, logCreator: LoggerConsole }),
      socketFactory: defaultSocketFactory(),
      brokers: [bootstrap],
      clientId: `static-${instanceId}`,
      connectionTimeout: 5000,
      requestTimeout: 30000,
      enforceRequestTimeout: true,
      metadataMaxAge: 300000,
      retry: { retries: 10, initialRetryTime: 100 },
      allowAutoTopicCreation: false,
    });
    await cluster.connect();
    const coordinator = await cluster.findGroupCoordinator({ groupId });
    const connection = await coordinator.connectionPool.getConnection();
    return new KafkajsStaticMember(cluster, connection, groupId, instanceId, topic, sessionTimeout);
  }

  private send(request: any, response: any): Promise<any> {
    // Keep the raw decoded response: errors are what the tests look at.
    return this.connection.send({ request, response: { decode: response.decode, parse: async (d: unknown) => d }, requestTimeout: 30000 });
  }

  /** JoinGroup v5 with this member's instance id (memberId "" on a fresh start). */
  async join(memberId = this.memberId): Promise<JoinResult> {
    const res: JoinResult = await this.send(
      joinV5({
        groupId: this.groupId,
        sessionTimeout: this.sessionTimeout,
        rebalanceTimeout: 10_000,
        memberId,
        groupInstanceId: this.instanceId,
        protocolType: 'consumer',
        groupProtocols: [{ name: 'RoundRobinAssigner', metadata: MemberMetadata.encode({ version: 1, topics: [this.topic] }) }],
      }),
      joinV5Response,
    );
    if (res.errorCode === 0) {
      this.memberId = res.memberId;
      this.generationId = res.generationId;
    }
    return res;
  }

  /** SyncGroup v3; the leader passes each member's partitions. Returns the error and this member's partitions. */
  async sync(assignments: Map<string, number[]> = new Map()): Promise<{ errorCode: number; partitions: number[] }> {
    const res = await this.send(
      syncV3({
        groupId: this.groupId,
        generationId: this.generationId,
        memberId: this.memberId,
        groupInstanceId: this.instanceId,
        groupAssignment: [...assignments].map(([memberId, partitions]) => ({
          memberId,
          memberAssignment: MemberAssignment.encode({ version: 1, assignment: { [this.topic]: partitions } }),
        })),
      }),
      syncV3Response,
    );
    const decoded = res.memberAssignment?.length ? MemberAssignment.decode(res.memberAssignment) : null;
    return { errorCode: res.errorCode, partitions: decoded ? [...(decoded.assignment[this.topic] ?? [])].sort() : [] };
  }

  async heartbeat(generationId = this.generationId, memberId = this.memberId): Promise<number> {
    const res = await this.send(
      heartbeatV3({ groupId: this.groupId, groupGenerationId: generationId, memberId, groupInstanceId: this.instanceId }),
      heartbeatV3Response,
    );
    return res.errorCode;
  }

  /** Drops the connection without a LeaveGroup, as a crashed or restarting process does. */
  async crash(): Promise<void> {
    await this.cluster.disconnect();
  }
}

export function subscribedTopics(metadata: Buffer): string[] {
  return MemberMetadata.decode(metadata).topics;
}
