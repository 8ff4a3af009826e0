// The controller's Envelope handler refuses what Kafka's EnvelopeUtils refuses: an API Kafka does
// not forward (INVALID_REQUEST), a principal that does not deserialize
// (PRINCIPAL_DESERIALIZATION_FAILURE), a client address that is no IP (INVALID_REQUEST), a version
// this listener does not serve (UNSUPPORTED_VERSION); a forwarded request it serves comes back
// with the client's correlation id in the embedded response header.
import t from 'tap';
import { BrokerConfig } from '../../src/config.js';
import { Server } from '../../src/network/server.js';
import type { RequestInfo } from '../../src/network/api.js';
import { NodeClient } from '../../src/network/node-client.js';
import { CONTROLLER_ADMIN_HANDLERS, CONTROLLER_CLUSTER_HANDLERS } from '../../src/handlers/controller/controller-apis.js';
import { ControllerBrokerContext } from '../../src/controller/controller-broker-context.js';
import { EnvelopeRequest } from '../../src/protocol/generated/envelope-request.js';
import { EnvelopeResponse } from '../../src/protocol/generated/envelope-response.js';
import { RequestHeader } from '../../src/protocol/generated/request-header.js';
import { ResponseHeader } from '../../src/protocol/generated/response-header.js';
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js';
import { serializePrincipal } from '../../src/network/forwarding.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import { quorumOfOne } from './helpers.js';

function embedded(apiKey: number, apiVersion: number, headerVersion: number, correlationId: number, body: (w: Writer) => void): Buffer {
  const w = new Writer(64);
  RequestHeader.encode(w, headerVersion, { requestApiKey: apiKey, requestApiVersion: apiVersion, correlationId, clientId: 'client-1' });
  body(w);
  return w.toBuffer();
}

t.test('envelope refusals and a served forwarded request', async (t) => {
  const q = await quorumOfOne();
  const config = new BrokerConfig({});
  const ctx = new ControllerBrokerContext(q.manager, 1, config, () => ({ host: '127.0.0.1', port: 0 }));
  const server = new Server<any>({
    listenerName: 'CONTROLLER',
    registry: new Map([...CONTROLLER_CLUSTER_HANDLERS, ...CONTROLLER_ADMIN_HANDLERS].map((h) => [h.apiKey, h as any])),
    context: (info: RequestInfo) => ({ ...info, broker: ctx, clusterControl: q.controller, activeControllerId: () => 1 }),
    config,
  });
  const port = await server.listen('127.0.0.1', 0);
  const client = new NodeClient({ nodeId: 2, requestTimeoutMs: 5000 });
  client.setEndpoint(1, { host: '127.0.0.1', port });
  t.teardown(async () => {
    client.close();
    await server.close();
  });
  const principal = serializePrincipal('User', 'alice');
  const localhost = Buffer.from([127, 0, 0, 1]);
  const send = (requestData: Buffer, requestPrincipal: Buffer | null = principal, clientHostAddress = localhost) =>
    client.send(1, EnvelopeRequest, EnvelopeResponse, 0, { requestData, requestPrincipal, clientHostAddress });
  const createTopics = (version: number) =>
    embedded(19, version, 2, 4242, (w) =>
      CreateTopicsRequest.encode(w, version, { topics: [{ name: 'enveloped', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: true }),
    );

  // Produce (0) is not forwardable.
  t.equal((await send(embedded(0, 9, 2, 1, (w) => w.int16(1)))).errorCode, ErrorCode.INVALID_REQUEST);
  t.equal((await send(createTopics(7), Buffer.from([0, 9, 9]))).errorCode, ErrorCode.PRINCIPAL_DESERIALIZATION_FAILURE);
  t.equal((await send(createTopics(7), null)).errorCode, ErrorCode.PRINCIPAL_DESERIALIZATION_FAILURE);
  t.equal((await send(createTopics(7), principal, Buffer.from([1, 2, 3]))).errorCode, ErrorCode.INVALID_REQUEST);
  // CreateTopics v1 is not served (Kafka 4 serves v2+): topics [] (int32 0), timeout, validate_only.
  const v1 = embedded(19, 1, 1, 1, (w) => w.int32(0).int32(1000).int8(0));
  t.equal((await send(v1)).errorCode, ErrorCode.UNSUPPORTED_VERSION);

  const ok = await send(createTopics(7));
  t.equal(ok.errorCode, ErrorCode.NONE);
  const r = new Reader(ok.responseData!);
  t.equal(ResponseHeader.decode(r, 1).correlationId, 4242, "the client's correlation id");
  const body = CreateTopicsResponse.decode(r, 7);
  // No broker is registered: the controller's own refusal, inside the envelope.
  t.equal(body.topics[0].name, 'enveloped');
  t.equal(body.topics[0].errorCode, ErrorCode.INVALID_REPLICATION_FACTOR);
});
