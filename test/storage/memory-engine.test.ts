import t from 'tap';
import { MemoryStorageEngine } from '../../src/storage/memory-engine.js';
import { engineSuite } from './engine-suite.js';

engineSuite(t, async (t) => {
  const engine = new MemoryStorageEngine();
  await engine.open();
  t.teardown(() => engine.close());
  return engine;
});
