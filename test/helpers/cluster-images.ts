// Checks that every node of an in-process cluster replays the same committed metadata: a publisher
// on each node records the image it published at each offset, and any two nodes that published an
// image at the same offset must have published the same image (no committed record lost, changed
// or reordered on any node, across kills and restarts).
import type { MetadataPublisher } from '../../src/metadata/loader.js';
import type { MetadataImage } from '../../src/metadata/image.js';
import { plainImage } from '../metadata/helpers.js';

export class ImageLedger {
  /** offset -> (image as JSON -> node ids that published it). */
  private readonly byOffset = new Map<number, Map<string, Set<number>>>();

  /** A publisher for node `nodeId` (install one on each node at each start). */
  publisher(nodeId: number): MetadataPublisher {
    return {
      name: `image-ledger-${nodeId}`,
      onMetadataUpdate: (_delta, image) => this.record(nodeId, image),
    };
  }

  record(nodeId: number, image: MetadataImage): void {
    const json = JSON.stringify(plainImage(image));
    let seen = this.byOffset.get(image.offset);
    if (!seen) this.byOffset.set(image.offset, (seen = new Map()));
    let nodes = seen.get(json);
    if (!nodes) seen.set(json, (nodes = new Set()));
    nodes.add(nodeId);
  }

  /** Offsets at which two nodes published different images, with who published what. */
  disagreements(): { offset: number; versions: number[][] }[] {
    const out: { offset: number; versions: number[][] }[] = [];
    for (const [offset, seen] of this.byOffset) {
      if (seen.size > 1) out.push({ offset, versions: [...seen.values()].map((s) => [...s]) });
    }
    return out.sort((a, b) => a.offset - b.offset);
  }

  /** How many offsets more than one node published an image at (what the check covered). */
  sharedOffsets(): number {
    let n = 0;
    for (const seen of this.byOffset.values()) {
      const nodes = new Set<number>();
      for (const s of seen.values()) for (const id of s) nodes.add(id);
      if (nodes.size > 1) n++;
    }
    return n;
  }
}
