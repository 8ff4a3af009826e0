// The client host Kafka records for a group member: the peer address as Java's
// InetAddress.toString() prints it ("/127.0.0.1").
export function clientHostOf(peer: string): string {
  const colon = peer.lastIndexOf(':');
  return '/' + (colon >= 0 ? peer.slice(0, colon) : peer);
}
