// server.properties read as Java's Properties.load reads it (kafka-server-start's loader): the
// expected map below is what java.util.Properties gave for the same bytes (JDK 17).
import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseProperties, PropertiesSyntaxError, readPropertiesFile } from '../../src/node/properties.js';
import { tempDir } from '../helpers/tmp.js';

const TEXT = [
  '# comment',
  '! bang comment',
  '   ',
  'a=1',
  '  b : 2  ',
  'c 3',
  'd\\t=\\t4',
  'e=five \\',
  '    continued \\',
  '  # not a comment',
  'f=a\\\\b\\tc\\u0041\\=x',
  'g\\ key=v',
  'h\\:k:v2',
  'i=trailing\\\\',
  'j',
  'k=',
  'l==x',
  'm:=y',
  'a=last',
  'n=x\\',
].join('\n') + '\no\\\r\n  p=q\r\nr=s';

const JAVA: Record<string, string> = {
  a: 'last',
  b: '2  ',
  c: '3',
  'd\t': '\t4',
  e: 'five continued # not a comment',
  f: 'a\\b\tcA=x',
  'g key': 'v',
  'h:k': 'v2',
  i: 'trailing\\',
  j: '',
  k: '',
  l: '=x',
  m: '=y',
  n: 'xop=q',
  r: 's',
};

t.test('separators, comments, escapes and continuation lines as Java reads them', async (t) => {
  t.same(Object.fromEntries(parseProperties(TEXT)), JAVA);
});

t.test('a file is read as ISO-8859-1, as Kafka loads server.properties', async (t) => {
  const file = path.join(tempDir(t), 'server.properties');
  writeFileSync(file, Buffer.concat([Buffer.from('broker.rack=caf'), Buffer.from([0xe9]), Buffer.from('\nlog.dirs=/d\\u00e9\n')]));
  const m = readPropertiesFile(file);
  t.equal(m.get('broker.rack'), 'café');
  t.equal(m.get('log.dirs'), '/dé');
});

t.test('a malformed \\u escape is refused with Java\'s message', async (t) => {
  t.throws(() => parseProperties('a=\\u00g1'), new PropertiesSyntaxError('Malformed \\uxxxx encoding.'));
});
