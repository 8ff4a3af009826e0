// Config overrides replayed on top of a ConfigurationsImage (Kafka's ConfigurationsDelta); a
// null value removes the override, a removed topic drops all of its own.
import type { ConfigRecord } from '../protocol/generated/config-record.js';
import { ConfigurationsImage, resourceKey } from './image.js';

export class ConfigurationsDelta {
  /** resourceKey -> config name -> new value (null: removed). */
  readonly changes = new Map<string, Map<string, string | null>>();
  /** Resources whose configs were all dropped (a removed topic), before `changes` applies. */
  readonly cleared = new Set<string>();

  constructor(readonly image: ConfigurationsImage) {}

  replay(r: ConfigRecord): void {
    const key = resourceKey(r.resourceType, r.resourceName);
    let c = this.changes.get(key);
    if (!c) this.changes.set(key, (c = new Map()));
    c.set(r.name, r.value);
  }

  removeResource(type: number, name: string): void {
    const key = resourceKey(type, name);
    this.changes.delete(key);
    this.cleared.add(key);
  }

  /** Whether the configs of this resource changed. */
  touches(type: number, name: string): boolean {
    const key = resourceKey(type, name);
    return this.changes.has(key) || this.cleared.has(key);
  }

  apply(): ConfigurationsImage {
    const next = new Map(this.image.resources);
    for (const key of this.cleared) next.delete(key);
    for (const [key, change] of this.changes) {
      const data = new Map(next.get(key) ?? []);
      for (const [name, value] of change) {
        if (value === null) data.delete(name);
        else data.set(name, value);
      }
      if (data.size === 0) next.delete(key);
      else next.set(key, new Map([...data].sort((a, b) => (a[0] < b[0] ? -1 : 1))));
    }
    return new ConfigurationsImage(next);
  }
}

