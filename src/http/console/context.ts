// What the console's routes need of the broker (a subset of src/http/context.ts's HttpContext).
import type { MetadataImage } from '../../metadata/image.js';
import type { ConsoleSource } from './source.js';

export interface ConsoleContext {
  readonly nodeId: number;
  readonly config: { bool(name: string): boolean };
  image(): MetadataImage;
  readonly console: ConsoleSource;
}
