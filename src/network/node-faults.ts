// The fault layer of the inter-node network, for tests: one object shared by the nodes of an
// in-process cluster. A blocked direction from -> to loses what `from` sends to `to` (requests and
// responses alike: the sender's NodeClient black-holes them, so they time out as on a real
// partition). Connections across a blocked pair are cut when the fault starts, and a node's
// servers refuse inbound connections from a peer they may not hear from (acceptsFrom).

export type FaultListener = () => void;

export class NodeFaults {
  /** Blocked directions as "from>to". */
  private readonly dropped = new Set<string>();
  private readonly isolated = new Set<number>();
  private readonly delays = new Map<string, number>();
  /** Local port of each NodeClient connection -> the node that opened it (to judge inbound ones). */
  private readonly clientPorts = new Map<number, number>();
  private readonly listeners = new Set<FaultListener>();

  /** Cuts `nodeId` off from every other node, both directions. */
  isolate(nodeId: number): void {
    this.isolated.add(nodeId);
    this.changed();
  }

  /** Loses what `from` sends to `to` (one direction). */
  drop(from: number, to: number): void {
    this.dropped.add(`${from}>${to}`);
    this.changed();
  }

  /** Holds what `from` sends to `to` for `ms` before it leaves (0 removes the delay). */
  delay(from: number, to: number, ms: number): void {
    if (ms > 0) this.delays.set(`${from}>${to}`, ms);
    else this.delays.delete(`${from}>${to}`);
  }

  /** Removes every fault. */
  heal(): void {
    this.dropped.clear();
    this.isolated.clear();
    this.delays.clear();
    this.changed();
  }

  /** Whether what `from` sends to `to` is lost. */
  blocked(from: number, to: number): boolean {
    if (from === to) return false;
    return this.isolated.has(from) || this.isolated.has(to) || this.dropped.has(`${from}>${to}`);
  }

  /** Two nodes that cannot talk both ways keep no connection between them. */
  cut(a: number, b: number): boolean {
    return this.blocked(a, b) || this.blocked(b, a);
  }

  delayOf(from: number, to: number): number {
    return this.delays.get(`${from}>${to}`) ?? 0;
  }

  /** NodeClient registers each connection it opens, so the receiving server knows who dialled. */
  registerClientPort(localPort: number, nodeId: number): void {
    this.clientPorts.set(localPort, nodeId);
  }

  unregisterClientPort(localPort: number): void {
    this.clientPorts.delete(localPort);
  }

  /** For a node's server: whether it keeps an inbound connection from `remotePort` (loopback clusters). */
  acceptsFrom(serverNodeId: number, remotePort: number): boolean {
    const from = this.clientPorts.get(remotePort);
    return from === undefined || !this.cut(from, serverNodeId);
  }

  /** Called on every change of faults (connections re-check themselves); returns an unsubscribe. */
  onChange(listener: FaultListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }
}
