// The TCP listener: accepts connections and closes them all on shutdown.
import net from 'node:net';
import type { Broker } from '../broker.js';
import { Connection } from './connection.js';

/** Kafka's socket.request.max.bytes default: larger frames close the connection. */
const DEFAULT_MAX_FRAME_BYTES = 104857600;

export class Server {
  private readonly server: net.Server;
  private readonly connections = new Set<Connection>();

  constructor(broker: Broker) {
    const maxFrame = Number(broker.config.get('socket.request.max.bytes') ?? DEFAULT_MAX_FRAME_BYTES);
    this.server = net.createServer((socket) => {
      const c = new Connection(socket, broker, maxFrame, (closed) => this.connections.delete(closed));
      this.connections.add(c);
    });
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const c of this.connections) c.close();
    });
  }
}
