// Every API samsa serves, keyed by api key. Dispatch and ApiVersions both read this map,
// so the broker never advertises a version no handler implements.
import type { Handler } from './handler.js';
import produce from './00-produce.js';
import fetch from './01-fetch.js';
import listOffsets from './02-list-offsets.js';
import metadata from './03-metadata.js';
import apiVersions from './18-api-versions.js';
import createTopics from './19-create-topics.js';
import initProducerId from './22-init-producer-id.js';
import offsetForLeaderEpoch from './23-offset-for-leader-epoch.js';

export const HANDLERS: ReadonlyMap<number, Handler> = new Map(
  [produce, fetch, listOffsets, metadata, apiVersions, createTopics, initProducerId, offsetForLeaderEpoch].map(
    (h) => [h.apiKey, h as Handler],
  ),
);

export function apiVersionsRanges(): { apiKey: number; minVersion: number; maxVersion: number }[] {
  return [...HANDLERS.values()]
    .sort((a, b) => a.apiKey - b.apiKey)
    .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }));
}
