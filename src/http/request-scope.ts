// Who an HTTP request authenticated as and where it came from, for the code it runs (the console's
// in-process Kafka requests act as that principal): kept per request in an AsyncLocalStorage.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { KafkaPrincipal } from '../security/principal.js';

export interface HttpRequestScope {
  principal: KafkaPrincipal;
  /** The client's address, as ACL hosts name it. */
  host: string;
}

const scope = new AsyncLocalStorage<HttpRequestScope>();

/** Runs `fn` in the request's scope (what httpRequest() answers inside it). */
export function runAs<T>(request: HttpRequestScope, fn: () => T): T {
  return scope.run(request, fn);
}

/** The HTTP request being served; undefined outside one, or on an open port. */
export function httpRequest(): HttpRequestScope | undefined {
  return scope.getStore();
}
