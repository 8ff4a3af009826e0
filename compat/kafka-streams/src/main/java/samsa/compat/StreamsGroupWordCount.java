package samsa.compat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
 * A word count run as a KIP-1071 streams group (group.protocol=streams): the broker's group coordinator
 * assigns the tasks and creates the internal topics (the repartition topic "APP-by-word-repartition" and the
 * changelog "APP-counts-changelog"). Lines are split into words, re-keyed through the repartition topic and
 * counted; with the record cache off each word yields one update, so a read_committed reader of the output must
 * see, per word, exactly 1, 2, ..., n.
 * Prints RUNNING when the application first runs, then "PASS streams-group-word-count" or "FAIL ... WHY" once
 * the output is complete; it then keeps running (so a test can describe the group) until its stdin closes.
 *   java -cp 'libs/*:classes' samsa.compat.StreamsGroupWordCount BOOTSTRAP APP_ID STATE_DIR LINES THREADS GUARANTEE [join]
 * (join: a further instance of the same application; it only runs, until its stdin closes)
 */
public final class StreamsGroupWordCount {
    static final String SCENARIO = "streams-group-word-count";
    static final int PARTITIONS = 3;

    static String line(int i) {
        return "w" + (i % 23) + " w" + ((i * 7) % 31) + " x" + (i % 5);
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String app = args[1];
        Path stateDir = Path.of(args[2]);
        int lines = Integer.parseInt(args[3]);
        int threads = Integer.parseInt(args[4]);
        String guarantee = args[5];
        // "join": another instance of the application (no topics, no input, no check; runs until stdin closes).
        boolean join = args.length > 6 && args[6].equals("join");
        String input = app + "-input";
        String output = app + "-output";
        Properties common = new Properties();
        common.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        KafkaStreams streams = null;
        String why;
        try {
            if (join) {
                streams = new KafkaStreams(topology(input, output), streamsConfig(common, app, guarantee, threads, stateDir));
                KafkaStreams self = streams;
                streams.setStateListener((now, before) -> {
                    if (now == KafkaStreams.State.RUNNING && before == KafkaStreams.State.REBALANCING) {
                        System.out.println("RUNNING");
                        System.out.flush();
                    }
                });
                Files.createDirectories(stateDir);
                streams.start();
                while (System.in.read() >= 0) { }
                self.close(Duration.ofSeconds(10));
                System.out.println("CLOSED");
                System.out.flush();
                Runtime.getRuntime().halt(0);
            }
            try (Admin admin = Admin.create(common)) {
                admin.createTopics(List.of(new NewTopic(input, PARTITIONS, (short) -1), new NewTopic(output, PARTITIONS, (short) -1))).all().get();
            }
            Map<String, Long> expected = new TreeMap<>();
            long updates = 0;
            Properties pp = new Properties();
            pp.putAll(common);
            pp.put(ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<String, String> p = new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < lines; i++) {
                    p.send(new ProducerRecord<>(input, "line-" + i, line(i)));
                    for (String w : line(i).split(" ")) {
                        expected.merge(w, 1L, Long::sum);
                        updates++;
                    }
                }
                p.flush();
            }

            AtomicReference<Throwable> failure = new AtomicReference<>();
            streams = new KafkaStreams(topology(input, output), streamsConfig(common, app, guarantee, threads, stateDir));
            streams.setStateListener((now, before) -> {
                if (now == KafkaStreams.State.RUNNING && before == KafkaStreams.State.REBALANCING) {
                    System.out.println("RUNNING");
                    System.out.flush();
                }
            });
            streams.setUncaughtExceptionHandler(e -> {
                failure.compareAndSet(null, e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            Files.createDirectories(stateDir);
            streams.start();
            Map<String, List<Long>> seen = readCommitted(bootstrap, output, updates, failure);
            if (failure.get() != null) why = "stream thread died: " + failure.get();
            else why = checkSequences(expected, seen, updates);
        } catch (Exception e) {
            e.printStackTrace();
            why = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        System.out.println(why == null ? "PASS " + SCENARIO : ("FAIL " + SCENARIO + " " + why).replace('\n', ' '));
        System.out.flush();
        // Kept running until stdin closes, so the group can be described while it is Stable.
        InputStream in = System.in;
        while (in.read() >= 0) { }
        if (streams != null) streams.close(Duration.ofSeconds(10));
        System.out.println("CLOSED");
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    static Properties streamsConfig(Properties common, String app, String guarantee, int threads, Path stateDir) {
        Properties sp = new Properties();
        sp.putAll(common);
        sp.put(StreamsConfig.APPLICATION_ID_CONFIG, app);
        sp.put(StreamsConfig.GROUP_PROTOCOL_CONFIG, "streams");
        sp.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        sp.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        sp.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        sp.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        sp.put(StreamsConfig.APPLICATION_SERVER_CONFIG, "localhost:" + (8000 + (int) (ProcessHandle.current().pid() % 1000)));
        sp.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        return sp;
    }

    static org.apache.kafka.streams.Topology topology(String input, String output) {
        StreamsBuilder b = new StreamsBuilder();
        b.stream(input, Consumed.with(Serdes.String(), Serdes.String()))
            .flatMapValues(v -> Arrays.asList(v.split(" ")))
            .groupBy((k, w) -> w, Grouped.<String, String>as("by-word").withKeySerde(Serdes.String()).withValueSerde(Serdes.String()))
            .count(Materialized.as("counts"))
            .toStream()
            .to(output, Produced.with(Serdes.String(), Serdes.Long()));
        return b.build();
    }

    /** Per key, the values a read_committed reader sees from the beginning, until `want` records and 3 quiet seconds. */
    static Map<String, List<Long>> readCommitted(String bootstrap, String topic, long want, AtomicReference<Throwable> failure) {
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, List<Long>> seen = new HashMap<>();
        try (KafkaConsumer<String, Long> c = new KafkaConsumer<>(cp, new StringDeserializer(), new LongDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) tps.add(new TopicPartition(topic, p));
            c.assign(tps);
            c.seekToBeginning(tps);
            long n = 0;
            long quietSince = System.currentTimeMillis();
            long deadline = System.currentTimeMillis() + 180_000;
            while (System.currentTimeMillis() < deadline && failure.get() == null) {
                int got = 0;
                for (ConsumerRecord<String, Long> r : c.poll(Duration.ofMillis(200))) {
                    seen.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
                    n++;
                    got++;
                }
                if (got > 0) quietSince = System.currentTimeMillis();
                else if (n >= want && System.currentTimeMillis() - quietSince > 3000) break;
            }
        }
        return seen;
    }

    static String checkSequences(Map<String, Long> expected, Map<String, List<Long>> seen, long updates) {
        long n = seen.values().stream().mapToLong(List::size).sum();
        if (n != updates) return "saw " + n + " updates, expected " + updates;
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            List<Long> values = seen.get(e.getKey());
            if (values == null) return "no updates for " + e.getKey();
            for (int i = 0; i < values.size(); i++) {
                if (values.get(i) != i + 1) return e.getKey() + " went " + values.subList(0, Math.min(values.size(), i + 3)) + " (expected 1.." + e.getValue() + ")";
            }
            if (values.size() != e.getValue()) return e.getKey() + " counted " + values.size() + " times, expected " + e.getValue();
        }
        return null;
    }
}
