// A broker's quota managers (Kafka's QuotaFactory.QuotaManagers): byte rates for produce and
// fetch, request time (request_percentage), controller mutations and connection creation, each keeping its own rates
// per client. The broker (and a controller's admin context) creates one; handlers reach it as
// ctx.broker.quotas.
import type { BrokerConfig } from '../config.js';
import { ClientQuotaManager } from './client-quota-manager.js';
import { ControllerMutationQuotaManager } from './controller-mutation-quota.js';
import { ConnectionCreationRate } from './connection-creation-rate.js';
import { ConnectionRateQuota } from './connection-rate-quota.js';
import type { RateConfig } from './sampled-rate.js';

export class QuotaManagers {
  readonly produce: ClientQuotaManager;
  readonly fetch: ClientQuotaManager;
  /** request_percentage: handler time as a percentage of one thread, throttled at most one window. */
  readonly request: ClientQuotaManager;
  readonly controllerMutation: ControllerMutationQuotaManager;
  /** connection_creation_rate per client address (KIP-612), checked by the listeners as they accept. */
  readonly connections: ConnectionRateQuota;
  /** max.connection.creation.rate, broker-wide and per listener (KIP-612), waited out by the listeners' acceptors. */
  readonly connectionCreation: ConnectionCreationRate;
  /** quota.window.num x quota.window.size.seconds. */
  readonly client: RateConfig;

  constructor(client: RateConfig, controller: RateConfig = client) {
    this.client = client;
    // Byte rates through a token bucket of Kafka's burst (QuotaMeter says why); request time as Kafka's Rate.
    this.produce = new ClientQuotaManager('producer_byte_rate', client, Infinity, 'bucket');
    this.fetch = new ClientQuotaManager('consumer_byte_rate', client, Infinity, 'bucket');
    this.request = new ClientQuotaManager('request_percentage', client, client.windowMs);
    this.controllerMutation = new ControllerMutationQuotaManager(controller);
    this.connections = new ConnectionRateQuota(client);
    this.connectionCreation = new ConnectionCreationRate(client);
  }

  static fromConfig(config: BrokerConfig): QuotaManagers {
    return new QuotaManagers(
      { samples: config.number('quota.window.num'), windowMs: config.number('quota.window.size.seconds') * 1000 },
      { samples: config.number('controller.quota.window.num'), windowMs: config.number('controller.quota.window.size.seconds') * 1000 },
    );
  }
}
