// Per-listener settings as Kafka reads them: `listener.name.<listener, lower-case>.<config>` wins
// over the broker-wide `<config>`; SASL's per-mechanism JAAS config has its own prefix.

/** A settings lookup: the value, or null when unset (and without default). */
export type Settings = (name: string) => string | null;

export function listenerPrefix(listenerName: string): string {
  return `listener.name.${listenerName.toLowerCase()}.`;
}

/** `name` for this listener: its listener-prefixed value, else the broker-wide one. */
export function listenerSetting(settings: Settings, listenerName: string, name: string): string | null {
  return settings(listenerPrefix(listenerName) + name) ?? settings(name);
}

/** Only the listener-prefixed value (Kafka reads some settings, e.g. a SASL_SSL listener's ssl.client.auth, from there alone). */
export function listenerOnlySetting(settings: Settings, listenerName: string, name: string): string | null {
  return settings(listenerPrefix(listenerName) + name);
}

/**
 * The JAAS config of `mechanism` on this listener: `listener.name.<l>.<mechanism>.sasl.jaas.config`
 * (brokers must use the prefixed form per mechanism), else the broker-wide `sasl.jaas.config`.
 */
export function jaasConfigOf(settings: Settings, listenerName: string, mechanism: string): string | null {
  return settings(`${listenerPrefix(listenerName)}${mechanism.toLowerCase()}.sasl.jaas.config`) ?? settings('sasl.jaas.config');
}

/** A Kafka LIST value: comma-separated, trimmed, empty entries dropped. */
export function settingList(value: string | null): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}
