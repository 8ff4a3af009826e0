// The broker's line to the active controller (Kafka's NodeToControllerChannelManager): requests go
// to whichever controller leads the quorum now, wait (up to their timeout) while none is known,
// and a NOT_CONTROLLER answer or a lost connection is the caller's cue to retry once the leader
// changes. The leader comes from the raft driver; controllers' endpoints are in the NodeClient.
import type { Codec } from '../protocol/generated/index.js';
import type { NodeClient } from '../network/node-client.js';

export class NoControllerError extends Error {}

export interface ControllerChannelOptions {
  client: Pick<NodeClient, 'send'>;
  /** The active controller's node id as the quorum knows it (null: no leader known now). */
  activeController(): number | null;
  /** How long a request waits for a controller to be known, and for its answer. */
  requestTimeoutMs: number;
}

export class ControllerChannel {
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly o: ControllerChannelOptions) {}

  /** The quorum's leader changed (call on every change): requests waiting for a controller go. */
  controllerChanged(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const wake of w) wake();
  }

  /** Resolves with the active controller's id once one is known, or rejects after `timeoutMs`. */
  async awaitController(timeoutMs = this.o.requestTimeoutMs): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.closed) throw new NoControllerError('the controller channel is closed');
      const id = this.o.activeController();
      if (id !== null && id >= 0) return id;
      const left = deadline - Date.now();
      if (left <= 0) throw new NoControllerError(`no active controller known within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends to the active controller; rejects with NoControllerError, or the NodeClient's errors. */
  async send<Req, Res>(requestCodec: Codec<Req>, responseCodec: Codec<Res>, version: number, request: Req): Promise<Res> {
    const to = await this.awaitController();
    return this.o.client.send(to, requestCodec, responseCodec, version, request, this.o.requestTimeoutMs);
  }

  close(): void {
    this.closed = true;
    this.controllerChanged();
  }
}
