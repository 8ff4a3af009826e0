package samsa.compat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;

/**
 * A word count with processing.guarantee=exactly_once_v2: input lines are split into words, re-keyed by word
 * (through the repartition topic "APP-by-word-repartition"), counted in a store backed by the changelog
 * "APP-counts-changelog", and every count update goes to the output topic. With the record cache off each
 * input word yields exactly one update, so a read_committed reader of the output must see, per word, exactly
 * 1, 2, ..., n (n its occurrences in the input): a duplicate, a gap or an aborted update shows.
 * Prints one line: PASS exactly-once-v2-word-count | FAIL exactly-once-v2-word-count WHY, and "RUNNING" when the
 * application first reaches that state (a test kills the broker then: test/transactions/streams-kill9.test.ts).
 *   java -cp 'libs/*:classes' samsa.compat.EosWordCount BOOTSTRAP RUN_ID STATE_DIR [LINES]
 */
public final class EosWordCount {
    static final String SCENARIO = "exactly-once-v2-word-count";
    static int LINES = 2000;
    static final int PARTITIONS = 3;

    static String line(int i) {
        return "w" + (i % 23) + " w" + ((i * 7) % 31) + " x" + (i % 5);
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String runId = args[1];
        Path stateDir = Path.of(args[2]);
        if (args.length > 3) LINES = Integer.parseInt(args[3]);
        String why;
        try {
            why = run(bootstrap, runId, stateDir);
        } catch (Exception e) {
            e.printStackTrace();
            why = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        System.out.println(why == null ? "PASS " + SCENARIO : ("FAIL " + SCENARIO + " " + why).replace('\n', ' '));
        System.out.flush();
        // Streams and client threads must not keep the JVM (and the harness) waiting.
        Runtime.getRuntime().halt(0);
    }

    static String run(String bootstrap, String runId, Path stateDir) throws Exception {
        String app = "compat-streams-eos-" + runId;
        String input = app + "-input";
        String output = app + "-output";
        Properties common = new Properties();
        common.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(common)) {
            admin.createTopics(List.of(new NewTopic(input, PARTITIONS, (short) -1), new NewTopic(output, PARTITIONS, (short) -1)))
                .all().get();
        }

        // The expected final count of every word.
        Map<String, Long> expected = new TreeMap<>();
        long updates = 0;
        Properties pp = new Properties();
        pp.putAll(common);
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (KafkaProducer<String, String> p = new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < LINES; i++) {
                p.send(new ProducerRecord<>(input, "line-" + i, line(i)));
                for (String w : line(i).split(" ")) {
                    expected.merge(w, 1L, Long::sum);
                    updates++;
                }
            }
            p.flush();
        }

        Properties sp = new Properties();
        sp.putAll(common);
        sp.put(StreamsConfig.APPLICATION_ID_CONFIG, app);
        sp.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        sp.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        sp.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        sp.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        sp.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        StreamsBuilder b = new StreamsBuilder();
        b.stream(input, Consumed.with(Serdes.String(), Serdes.String()))
            .flatMapValues(v -> Arrays.asList(v.split(" ")))
            .groupBy((k, w) -> w, Grouped.<String, String>as("by-word").withKeySerde(Serdes.String()).withValueSerde(Serdes.String()))
            .count(Materialized.as("counts"))
            .toStream()
            .to(output, Produced.with(Serdes.String(), Serdes.Long()));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        KafkaStreams streams = new KafkaStreams(b.build(), sp);
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING && before == KafkaStreams.State.REBALANCING) System.out.println("RUNNING");
        });
        streams.setUncaughtExceptionHandler(e -> {
            failure.compareAndSet(null, e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        Files.createDirectories(stateDir);
        streams.start();
        try {
            Map<String, List<Long>> seen = readCommitted(bootstrap, output, updates, failure);
            if (failure.get() != null) return "stream thread died: " + failure.get();
            String bad = checkSequences(expected, seen, updates);
            if (bad != null) return "output " + bad;
            // The changelog holds the store's updates: its last value per word is the final count.
            Map<String, List<Long>> changelog = readCommitted(bootstrap, app + "-counts-changelog", updates, failure);
            bad = checkSequences(expected, changelog, updates);
            if (bad != null) return "changelog " + bad;
            try (Admin admin = Admin.create(common)) {
                Set<String> topics = admin.listTopics().names().get();
                if (!topics.contains(app + "-by-word-repartition")) return "no repartition topic " + app + "-by-word-repartition in " + topics;
            }
            return null;
        } finally {
            streams.close(Duration.ofSeconds(10));
        }
    }

    /** Per key, the values a read_committed reader sees from the beginning, until `want` records and 3 quiet seconds. */
    static Map<String, List<Long>> readCommitted(String bootstrap, String topic, long want, AtomicReference<Throwable> failure) {
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<String, List<Long>> seen = new HashMap<>();
        try (KafkaConsumer<String, Long> c = new KafkaConsumer<>(cp, new StringDeserializer(), new LongDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) tps.add(new TopicPartition(topic, p));
            c.assign(tps);
            c.seekToBeginning(tps);
            long n = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil) && failure.get() == null) {
                for (ConsumerRecord<String, Long> r : c.poll(Duration.ofMillis(200))) {
                    seen.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
                    n++;
                }
                // Keep reading a while after the expected count: duplicates would arrive then.
                if (n >= want && quietUntil == Long.MAX_VALUE) quietUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            }
        }
        return seen;
    }

    static String checkSequences(Map<String, Long> expected, Map<String, List<Long>> seen, long updates) {
        long n = seen.values().stream().mapToLong(List::size).sum();
        if (n != updates) return "has " + n + " committed records, expected " + updates;
        if (!seen.keySet().equals(expected.keySet())) return "keys " + new TreeMap<>(seen).keySet() + ", expected " + expected.keySet();
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            List<Long> got = seen.get(e.getKey());
            for (int i = 0; i < got.size(); i++) {
                if (got.get(i) != i + 1) return "key " + e.getKey() + ": update " + (i + 1) + " is " + got.get(i) + " (" + got.size() + " updates, expected 1.." + e.getValue() + ")";
            }
            if (got.size() != e.getValue()) return "key " + e.getKey() + ": " + got.size() + " updates, expected " + e.getValue();
        }
        return null;
    }
}
