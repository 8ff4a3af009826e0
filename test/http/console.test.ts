// The web console in headless Chromium (Debian's chromium through playwright-core): the topic
// list, a topic's latest messages (JSON, and binary values as hex), a group's lag per partition,
// producing a message through the console's form (read back with kafkajs), editing a topic config
// (read back with kafkajs' DescribeConfigs), the message browser's seek and live tail, and that
// client data is escaped, never markup.
import t from 'tap';
import type { Browser, Page } from 'playwright-core';
import { tempDir } from '../helpers/tmp.js';
import { BINARY_VALUES, GROUP, LAGGING_ORDERS, SEED_ORDERS, launchChromium, startConsoleFixture, waitFor, type ConsoleFixture } from './console-fixture.js';
import kafkajs from 'kafkajs';

const { ConfigResourceTypes } = kafkajs;

let f: ConsoleFixture;
let browser: Browser;
let page: Page;

t.before(async () => {
  f = await startConsoleFixture(tempDir(t));
  browser = await launchChromium();
  page = await browser.newPage();
});
t.teardown(async () => {
  await browser?.close();
  await f?.close();
});

async function cells(selector: string): Promise<string[][]> {
  return page.$$eval(`${selector} tbody tr`, (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())));
}

t.test('/ lists the topics with partitions and message counts', async (t) => {
  const res = await page.goto(f.url + '/');
  t.equal(res?.status(), 200);
  t.equal(await page.title(), 'Topics · samsa');
  const rows = await cells('#topics');
  const byName = new Map(rows.map((r) => [r[0].replace(/\s*internal$/, ''), r]));
  t.same(byName.get('orders')?.slice(1, 3), ['3', String(SEED_ORDERS + LAGGING_ORDERS)], 'orders: 3 partitions, every message');
  t.same(byName.get('sensor-frames')?.slice(1, 3), ['1', String(BINARY_VALUES.length)]);
  t.same(byName.get('audit-log')?.slice(1, 3), ['2', '2']);
  t.match(byName.get('orders')?.[3], /^\d+(\.\d)? (B|KiB)$/, 'a size on disk');
  t.match(byName.get('__consumer_offsets')?.[0], '__consumer_offsets', 'internal topics too');
  await page.click('#topics a[href="/topics/orders"]');
  await page.waitForURL(f.url + '/topics/orders');
  t.equal(await page.title(), 'Topic orders · samsa', 'a topic name links to its page');
});

t.test('/topics/<name> shows the latest messages, JSON pretty-printed, with headers', async (t) => {
  await page.goto(f.url + '/topics/orders');
  const rows = await cells('#messages');
  t.equal(rows.length, 20, 'the 20 latest messages');
  const values = await page.$$eval('#messages tbody tr td:nth-child(5) pre', (ps) => ps.map((p) => ({ cls: p.className, text: p.textContent })));
  t.ok(values.every((v) => v.cls.includes('fmt-json')), 'JSON values are shown as JSON');
  const orders = values.map((v) => JSON.parse(v.text ?? 'null').order as number).sort((a, b) => a - b);
  t.equal(orders[orders.length - 1], 1000 + SEED_ORDERS + LAGGING_ORDERS - 1, 'the newest order is among them');
  t.match(rows[0][5], /source(web|mobile)trace-idt-/, 'headers shown');
  const parts = await cells('#partitions');
  const offsets = await f.admin.fetchTopicOffsets('orders');
  t.same(
    parts.map((r) => [r[0], r[5], r[6]]),
    offsets.sort((a, b) => a.partition - b.partition).map((o) => [String(o.partition), o.low, o.high]),
    'start and end offsets per partition as ListOffsets answers them',
  );
});

t.test('binary messages are shown as hex', async (t) => {
  await page.goto(f.url + '/topics/sensor-frames');
  const values = await page.$$eval('#messages tbody tr td:nth-child(5) pre', (ps) => ps.map((p) => ({ cls: p.className, text: p.textContent })));
  t.equal(values.length, BINARY_VALUES.length);
  t.ok(values.every((v) => v.cls.includes('fmt-hex')));
  t.same(values.map((v) => v.text).sort(), BINARY_VALUES.map((b) => b.toString('hex').replace(/(..)(?!$)/g, '$1 ')).sort());
  const keys = await page.$$eval('#messages tbody tr td:nth-child(4) pre', (ps) => ps.map((p) => p.className));
  t.ok(keys.every((c) => c.includes('fmt-text')), 'printable keys stay text');
  await page.goto(f.url + '/topics/audit-log?format=hex');
  const hexed = await page.$$eval('#messages tbody tr td:nth-child(5) pre', (ps) => ps.map((p) => p.textContent));
  t.ok(hexed.includes(Buffer.from('topic orders created').toString('hex').replace(/(..)(?!$)/g, '$1 ')), 'format=hex shows text as hex too');
});

t.test('/groups and /groups/<id>: members, assignments and lag per partition', async (t) => {
  await page.goto(f.url + '/groups');
  const groups = await cells('#groups');
  t.same(groups.find((r) => r[0] === GROUP), [GROUP, 'classic', 'Stable', 'consumer']);
  await page.click(`#groups a[href="/groups/${GROUP}"]`);
  await page.waitForURL(`${f.url}/groups/${GROUP}`);
  const members = await cells('#members');
  t.equal(members.length, 1, 'one member');
  t.match(members[0][4], /orders-0, orders-1, orders-2/, 'assigned every partition of orders');
  const committed = (await f.admin.fetchOffsets({ groupId: GROUP, topics: ['orders'] }))[0].partitions;
  const ends = await f.admin.fetchTopicOffsets('orders');
  const expected = ends
    .sort((a, b) => a.partition - b.partition)
    .map((e) => {
      const c = Number(committed.find((p) => p.partition === e.partition)!.offset);
      return ['orders', String(e.partition), String(c), e.high, String(Number(e.high) - c)];
    });
  t.same(await cells('#lag'), expected, 'committed offset, end offset and lag per partition (kafkajs fetchOffsets/ListOffsets)');
  t.equal(await page.textContent('#total-lag'), String(LAGGING_ORDERS), 'the orders produced after the commit');
});

t.test('produce a message through the console', async (t) => {
  await page.goto(f.url + '/topics/orders');
  await page.selectOption('#produce-form select[name=partition]', '1');
  await page.fill('#produce-form input[name=key]', 'console-key');
  await page.fill('#produce-form textarea[name=value]', '{"from":"the console","n":1}');
  await page.fill('#produce-form textarea[name=headers]', 'origin=console\nkind=manual');
  await page.click('#produce-form button[type=submit]');
  await page.waitForSelector('#notice', { timeout: 60_000 });
  const notice = (await page.textContent('#notice')) ?? '';
  const m = /Produced to partition 1 at offset (\d+)\./.exec(notice);
  t.ok(m, `notice: ${notice}`);
  const offset = Number(m![1]);
  const shown = await page.$$eval('#messages tbody tr', (rows) => rows.map((r) => ({ p: r.getAttribute('data-partition'), o: r.getAttribute('data-offset') })));
  t.ok(shown.some((r) => r.p === '1' && r.o === String(offset)), 'the new message is among the latest');

  // Read back with a Kafka client: the record, its key and headers, at that offset.
  const consumer = f.kafka.consumer({ groupId: 'console-readback' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'orders', fromBeginning: true });
  let found: { key: string; value: string; headers: Record<string, string>; partition: number; offset: string } | null = null;
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      if (message.key?.toString() === 'console-key') {
        found = { key: 'console-key', value: message.value!.toString(), headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])), partition, offset: message.offset };
      }
    },
  });
  await waitFor('kafkajs to read the console\'s record', async () => found);
  await consumer.disconnect();
  t.same(found, { key: 'console-key', value: '{"from":"the console","n":1}', headers: { origin: 'console', kind: 'manual' }, partition: 1, offset: String(offset) });

  // A binary value given as hex, to a partition chosen by Kafka's partitioner from the key.
  await page.fill('#produce-form input[name=key]', '0a0b');
  await page.fill('#produce-form textarea[name=value]', 'de ad be ef 00');
  await page.fill('#produce-form textarea[name=headers]', '');
  await page.selectOption('#produce-form select[name=partition]', '');
  await page.selectOption('#produce-form select[name=encoding]', 'hex');
  // The page still shows the first produce's notice: wait for the reload that brings the new one.
  await page.click('#produce-form button[type=submit]');
  await page.waitForFunction((before) => {
    const text = document.querySelector('#notice')?.textContent ?? '';
    return text !== before && /Produced to partition \d at offset \d+\./.test(text);
  }, notice, { timeout: 60_000 });
  await page.waitForLoadState('load');
  const values = await page.$$eval('#messages tbody tr td:nth-child(5) pre.fmt-hex', (ps) => ps.map((p) => p.textContent));
  t.ok(values.includes('de ad be ef 00'), 'the binary value shown as hex');
});

t.test('a produce error is shown, not swallowed', async (t) => {
  await page.goto(f.url + '/topics/orders');
  await page.selectOption('#produce-form select[name=encoding]', 'hex');
  await page.fill('#produce-form textarea[name=value]', 'not hex');
  await page.click('#produce-form button[type=submit]');
  await page.waitForFunction(() => (document.querySelector('#produce-result')?.textContent ?? '').startsWith('failed'), undefined, { timeout: 60_000 });
  t.equal(await page.textContent('#produce-result'), 'failed: value is not hex');
});

t.test('edit a topic config; Kafka\'s validation error is shown', async (t) => {
  await page.goto(f.url + '/topics/audit-log');
  await page.fill('#config-form input[name=name]', 'retention.ms');
  await page.fill('#config-form input[name=value]', '3600000');
  await page.click('#config-form button[value=set]');
  await page.waitForSelector('#notice', { timeout: 60_000 });
  const rows = await cells('#configs');
  t.same(rows.find((r) => r[0] === 'retention.ms'), ['retention.ms', '3600000', 'topic']);
  const described = await f.admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'audit-log', configNames: ['retention.ms'] }] });
  t.equal(described.resources[0].configEntries[0].configValue, '3600000', 'kafkajs DescribeConfigs sees the change');

  await page.fill('#config-form input[name=name]', 'retention.ms');
  await page.click('#config-form button[value=delete]');
  await page.waitForFunction(() => (document.querySelector('#notice')?.textContent ?? '').startsWith('Removed'), undefined, { timeout: 60_000 });
  t.same((await cells('#configs')).find((r) => r[0] === 'retention.ms'), ['retention.ms', '604800000', 'default'], 'the override removed');

  await page.fill('#config-form input[name=name]', 'cleanup.policy');
  await page.fill('#config-form input[name=value]', 'shred');
  await page.click('#config-form button[value=set]');
  await page.waitForFunction(() => (document.querySelector('#config-result')?.textContent ?? '').startsWith('failed'), undefined, { timeout: 60_000 });
  t.match(await page.textContent('#config-result'), /failed: .*shred/, 'Kafka\'s INVALID_CONFIG message');
});

t.test('message browser: seek by offset and by time, live tail', async (t) => {
  await page.goto(`${f.url}/topics/orders/partitions/0?offset=2&limit=3`);
  const offsets = await page.$$eval('#records tbody tr', (rows) => rows.map((r) => Number(r.getAttribute('data-offset'))));
  t.same(offsets, [2, 3, 4], 'three records from offset 2');

  const all = await f.admin.fetchTopicOffsets('orders');
  const high = Number(all.find((o) => o.partition === 0)!.high);
  const before = Date.now();
  await f.producer.send({ topic: 'orders', acks: -1, messages: [{ partition: 0, key: 'late', value: 'after the seek time', timestamp: String(before + 60_000) }] });
  await page.goto(`${f.url}/topics/orders/partitions/0?time=${before + 30_000}`);
  const fromTime = await page.$$eval('#records tbody tr', (rows) => rows.map((r) => Number(r.getAttribute('data-offset'))));
  t.same(fromTime, [high], 'the first record at or after the time');

  await page.goto(`${f.url}/topics/orders/partitions/0`);
  await page.check('#tail');
  await waitFor('the tail to start', async () => /tailing from offset/.test((await page.textContent('#tail-status')) ?? ''));
  await f.producer.send({ topic: 'orders', acks: -1, messages: [{ partition: 0, key: 'tail', value: '<live> & "tailed"' }] });
  await page.waitForFunction(() => [...document.querySelectorAll('#records tbody tr')].some((r) => r.textContent?.includes('<live> & "tailed"')), undefined, { timeout: 60_000 });
  t.equal(await page.$$eval('#records tbody tr td:nth-child(5) pre', (ps) => ps.filter((p) => p.textContent === '<live> & "tailed"').length), 1, 'the tailed record appended once, as text');
  await page.uncheck('#tail');
});

t.test('client data is escaped: keys, values and headers never become markup', async (t) => {
  await f.admin.createTopics({ topics: [{ topic: 'escapes', numPartitions: 1 }] });
  const evil = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
  await f.producer.send({ topic: 'escapes', acks: -1, messages: [{ key: evil, value: evil, headers: { [evil]: evil } }] });
  await page.goto(f.url + '/topics/escapes');
  t.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined, 'no script ran');
  t.equal(await page.$$eval('#messages img, #messages script', (els) => els.length), 0, 'no element from the data');
  const texts = await page.$$eval('#messages tbody pre', (ps) => ps.map((p) => p.textContent));
  t.same(texts, [evil, evil, evil], 'key, value and header value shown as the text they are');
  t.equal(await page.textContent('#messages dt'), evil, 'the header name too');
});

t.test('cluster, transactions, ACLs & quotas and client metrics pages render; unknown names are 404', async (t) => {
  await page.goto(f.url + '/cluster');
  t.equal(await page.textContent('#cluster-id'), (await f.admin.describeCluster()).clusterId);
  t.equal((await cells('#brokers')).length, 1);
  t.ok((await cells('#broker-configs')).some((r) => r[0] === 'num.partitions'));
  for (const p of ['/transactions', '/security', '/client-metrics']) t.equal((await page.goto(f.url + p))?.status(), 200, p);
  t.equal((await page.goto(f.url + '/topics/no-such-topic'))?.status(), 404);
  t.equal((await page.goto(f.url + '/groups/no-such-group'))?.status(), 404);
  t.equal((await page.goto(f.url + '/console/console.js'))?.headers()['content-type'], 'text/javascript; charset=utf-8', 'the script is served by the broker');
});

t.test('a cross-site form cannot produce: JSON bodies need content-type application/json', async (t) => {
  const before = await f.admin.fetchTopicOffsets('audit-log');
  // What a text/plain form post from another site delivers: a body that parses as JSON.
  const res = await fetch(f.url + '/api/console/topics/audit-log/records', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"value":"forged","x":"="}' });
  t.equal(res.status, 415);
  t.same(await f.admin.fetchTopicOffsets('audit-log'), before, 'nothing produced');
  const ok = await fetch(f.url + '/api/console/topics/audit-log/records', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"partition":0,"value":"by the API"}' });
  t.equal(ok.status, 200, 'the same as JSON is produced');
});
