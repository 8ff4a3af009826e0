// Produce-to-consume latency at a fixed rate, with the Java client (run in source-file mode:
// `broker.sh java bench/compare/EndToEndRate.java BOOTSTRAP TOPIC RATE SIZE SECONDS WARMUP_SECONDS ACKS`).
// Kafka's own EndToEndLatency sends one record at a time and waits for it, so its rate is set by the
// latency it measures; this sends at a fixed rate instead. Each record carries its scheduled send time
// (System.nanoTime, one clock for both threads), so a producer that falls behind is charged for it.
// Prints one JSON line: {"sent":..,"measured":..,"p50Ms":..,"p99Ms":..,"p999Ms":..,"maxMs":..}.
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class EndToEndRate {
  public static void main(String[] args) throws Exception {
    if (args.length != 7) {
      System.err.println("usage: EndToEndRate BOOTSTRAP TOPIC RATE RECORD_SIZE SECONDS WARMUP_SECONDS ACKS");
      System.exit(2);
    }
    String bootstrap = args[0];
    String topic = args[1];
    int rate = Integer.parseInt(args[2]);
    int size = Math.max(16, Integer.parseInt(args[3]));
    double seconds = Double.parseDouble(args[4]);
    double warmup = Double.parseDouble(args[5]);
    String acks = args[6];
    int warmupRecords = (int) Math.round(warmup * rate);
    int total = warmupRecords + (int) Math.round(seconds * rate);

    Properties pp = new Properties();
    pp.put("bootstrap.servers", bootstrap);
    pp.put("acks", acks);
    // Send as soon as the sender is free: the point is the broker's latency, not the client's batching delay.
    pp.put("linger.ms", "0");
    pp.put("key.serializer", ByteArraySerializer.class.getName());
    pp.put("value.serializer", ByteArraySerializer.class.getName());
    Properties cp = new Properties();
    cp.put("bootstrap.servers", bootstrap);
    cp.put("enable.auto.commit", "false");
    cp.put("auto.offset.reset", "earliest");
    cp.put("key.deserializer", ByteArrayDeserializer.class.getName());
    cp.put("value.deserializer", ByteArrayDeserializer.class.getName());

    long[] latencyNs = new long[total - warmupRecords];
    AtomicReference<Throwable> failure = new AtomicReference<>();
    TopicPartition tp = new TopicPartition(topic, 0);
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp);
    consumer.assign(List.of(tp));
    consumer.seekToEnd(List.of(tp)); // only what this run sends
    consumer.position(tp); // resolve the start offset before the first record is sent
    Thread reader = new Thread(() -> {
      int seen = 0;
      long deadline = Long.MAX_VALUE;
      try {
        while (seen < total && System.nanoTime() < deadline) {
          for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(100))) {
            long now = System.nanoTime();
            ByteBuffer v = ByteBuffer.wrap(rec.value());
            long scheduled = v.getLong(0);
            int seq = v.getInt(8);
            if (seq != seen) throw new IllegalStateException("record " + seq + " arrived, expected " + seen);
            if (seq >= warmupRecords) latencyNs[seq - warmupRecords] = now - scheduled;
            seen++;
          }
          if (deadline == Long.MAX_VALUE && ProducerDone.at > 0) deadline = ProducerDone.at + 30_000_000_000L;
        }
        if (seen < total) throw new IllegalStateException("received " + seen + " of " + total + " records");
      } catch (Throwable t) {
        failure.compareAndSet(null, t);
      } finally {
        consumer.close();
      }
    });
    reader.start();

    byte[] filler = new byte[size];
    new Random(7).nextBytes(filler);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp)) {
      producer.partitionsFor(topic); // metadata first, so the first records do not wait for it
      long start = System.nanoTime() + 10_000_000L;
      long intervalNs = 1_000_000_000L / rate;
      for (int i = 0; i < total && failure.get() == null; i++) {
        long due = start + i * intervalNs;
        long wait = due - System.nanoTime();
        if (wait > 0) LockSupport.parkNanos(wait);
        byte[] value = filler.clone();
        ByteBuffer.wrap(value).putLong(0, due).putInt(8, i);
        producer.send(new ProducerRecord<>(topic, 0, null, value), (md, e) -> {
          if (e != null) failure.compareAndSet(null, e);
        });
      }
      producer.flush();
    }
    ProducerDone.at = System.nanoTime();
    reader.join();
    if (failure.get() != null) {
      System.err.println("EndToEndRate failed: " + failure.get());
      System.exit(1);
    }
    Arrays.sort(latencyNs);
    System.out.printf("{\"sent\":%d,\"measured\":%d,\"p50Ms\":%.3f,\"p99Ms\":%.3f,\"p999Ms\":%.3f,\"maxMs\":%.3f}%n",
        total, latencyNs.length, pct(latencyNs, 0.5), pct(latencyNs, 0.99), pct(latencyNs, 0.999),
        latencyNs[latencyNs.length - 1] / 1e6);
  }

  /** Nearest-rank percentile of a sorted sample, in milliseconds. */
  static double pct(long[] sorted, double q) {
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
  }

  static final class ProducerDone {
    static volatile long at = 0;
  }
}
