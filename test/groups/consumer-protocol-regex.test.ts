// KIP-848 regular expression subscriptions end to end: Kafka 4.4.0's Java KafkaConsumer with
// group.protocol=consumer subscribes with a SubscriptionPattern (resolved by the broker, RE2/J).
// It is assigned the matching topics' partitions and not the others, and a matching topic created
// while it runs is added at the broker's next resolution (at most 10 s later). A tiny Java program,
// compiled here against the Kafka jars, prints its assignment whenever it changes.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startBroker } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(300_000);

const LIBS = path.join(REPO_ROOT, 'compat/kafka/.work/libs');
const PROGRAM = `
import java.time.Duration;
import java.util.Properties;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.SubscriptionPattern;
import org.apache.kafka.common.TopicPartition;

public class RegexConsumer {
  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", args[0]);
    p.put("group.id", args[1]);
    p.put("group.protocol", "consumer");
    p.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    p.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
      consumer.subscribe(new SubscriptionPattern(args[2]));
      String last = null;
      long end = System.currentTimeMillis() + 240_000;
      while (System.currentTimeMillis() < end) {
        consumer.poll(Duration.ofMillis(200));
        TreeSet<String> names = new TreeSet<>();
        for (TopicPartition tp : consumer.assignment()) names.add(tp.topic() + "-" + tp.partition());
        String now = String.join(",", names);
        if (!now.equals(last)) {
          System.out.println("assigned " + now);
          System.out.flush();
          last = now;
        }
        if (System.in.available() > 0) break;
      }
    }
  }
}
`;

t.test('a SubscriptionPattern is resolved by the broker, and a new matching topic is picked up', async (t) => {
  const install = spawnSync('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), 'install'], { stdio: 'inherit', timeout: 240_000 });
  t.equal(install.status, 0, "Kafka's jars (compat/kafka/broker.sh install)");
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'RegexConsumer.java'), PROGRAM);
  const javac = spawnSync('javac', ['-cp', `${LIBS}/*`, '-d', dir, path.join(dir, 'RegexConsumer.java')], { encoding: 'utf8' });
  t.equal(javac.status, 0, `javac: ${javac.stderr}`);

  const b = await startBroker({ port: 0, memory: true, config: { 'offsets.topic.num.partitions': '1' } });
  t.teardown(() => b.close());
  await b.broker.createTopic('rx-a', 2, {});
  await b.broker.createTopic('rx-b', 1, {});
  await b.broker.createTopic('other', 1, {});
  const jvm = ['-Xmx256m', '-XX:TieredStopAtLevel=1', `-Dlog4j2.configurationFile=${path.join(REPO_ROOT, 'compat/kafka/log4j2.properties')}`];
  const proc = spawn('java', [...jvm, '-cp', `${LIBS}/*:${dir}`, 'RegexConsumer', b.bootstrap, 'rx-group', 'rx-.*'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => proc.on('close', resolve));
  t.teardown(() => proc.kill('SIGKILL'));
  let stderr = '';
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let assigned = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => {
    for (const line of d.split('\n')) if (line.startsWith('assigned ')) assigned = line.slice('assigned '.length);
  });
  const waitFor = async (want: string, ms: number) => {
    const end = Date.now() + ms;
    while (assigned !== want && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    return assigned;
  };
  t.equal(await waitFor('rx-a-0,rx-a-1,rx-b-0', 120_000), 'rx-a-0,rx-a-1,rx-b-0', `the matching topics, not "other" (stderr: ${stderr.slice(-1500)})`);
  const d = b.broker.groups.consumerGroupDescribe(['rx-group'], false)[0];
  t.equal(d.members[0].subscribedTopicRegex, 'rx-.*');

  await b.broker.createTopic('rx-c', 1, {});
  t.equal(await waitFor('rx-a-0,rx-a-1,rx-b-0,rx-c-0', 60_000), 'rx-a-0,rx-a-1,rx-b-0,rx-c-0', 'a topic created later is added');
  proc.stdin.end('x');
  t.equal(await exited, 0, stderr.slice(-1500));
  t.equal(b.broker.groups.consumerGroupDescribe(['rx-group'], false)[0].groupState, 'Empty', 'it left on close');
});
