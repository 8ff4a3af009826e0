// Writes kafka-4.4.0-cases.jsonl: seeded random groups run through Kafka 4.4.0's own server-side
// assignors (UniformAssignor, RangeAssignor), one JSON line per case with input and Kafka's output.
// Regenerate (after `bash compat/kafka/broker.sh install`):
//   javac -cp 'compat/kafka/.work/libs/*' -d /tmp/kac test/coordinator/assignor/KafkaAssignorCases.java
//   java -cp "compat/kafka/.work/libs/*:/tmp/kac" KafkaAssignorCases > test/coordinator/assignor/kafka-4.4.0-cases.jsonl
import java.util.*;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.coordinator.group.api.assignor.*;
import org.apache.kafka.coordinator.group.assignor.RangeAssignor;
import org.apache.kafka.coordinator.group.assignor.UniformAssignor;
import org.apache.kafka.coordinator.group.modern.Assignment;
import org.apache.kafka.coordinator.group.modern.GroupSpecImpl;
import org.apache.kafka.coordinator.group.modern.MemberSubscriptionAndAssignmentImpl;

public class KafkaAssignorCases {
    public static void main(String[] args) {
        Random rnd = new Random(848);
        StringBuilder out = new StringBuilder();
        for (int c = 0; c < 300; c++) {
            ConsumerGroupPartitionAssignor assignor = c % 2 == 0 ? new UniformAssignor() : new RangeAssignor();
            boolean homogeneous = rnd.nextInt(3) > 0;
            int numTopics = 1 + rnd.nextInt(c < 200 ? 4 : 8);
            LinkedHashMap<Uuid, Integer> topics = new LinkedHashMap<>();
            while (topics.size() < numTopics) {
                Uuid id = new Uuid(rnd.nextLong(), rnd.nextLong());
                if (id.toString().startsWith("-")) continue;
                topics.put(id, 1 + rnd.nextInt(c < 200 ? 8 : 24));
            }
            List<Uuid> topicIds = new ArrayList<>(topics.keySet());
            int numMembers = 1 + rnd.nextInt(c < 200 ? 5 : 10);
            LinkedHashSet<Uuid> shared = randomSubset(rnd, topicIds, true);
            LinkedHashMap<String, LinkedHashSet<Uuid>> subs = new LinkedHashMap<>();
            LinkedHashMap<String, String> instances = new LinkedHashMap<>();
            for (int m = 0; m < numMembers; m++) {
                String memberId = Long.toString(rnd.nextLong() & Long.MAX_VALUE, 36).substring(0, 5 + rnd.nextInt(3)) + m;
                subs.put(memberId, homogeneous ? shared : randomSubset(rnd, topicIds, false));
                if (rnd.nextInt(4) == 0) instances.put(memberId, "instance-" + rnd.nextInt(100));
            }
            if (homogeneous) {
                // Kafka's heterogeneous check: all members must share one subscription.
            } else if (new HashSet<>(subs.values()).size() == 1) {
                homogeneous = true;
            }
            // A previous target assignment: each partition owned by at most one member, sometimes of a
            // topic the member no longer subscribes to.
            List<String> memberIds = new ArrayList<>(subs.keySet());
            LinkedHashMap<String, LinkedHashMap<Uuid, TreeSet<Integer>>> prev = new LinkedHashMap<>();
            for (String m : memberIds) prev.put(m, new LinkedHashMap<>());
            int ownership = rnd.nextInt(4); // 0: empty start
            if (ownership > 0) {
                for (Uuid t : topicIds) {
                    for (int p = 0; p < topics.get(t); p++) {
                        if (rnd.nextInt(4) < ownership) {
                            String owner = memberIds.get(rnd.nextInt(memberIds.size()));
                            prev.get(owner).computeIfAbsent(t, k -> new TreeSet<>()).add(p);
                        }
                    }
                }
            }
            LinkedHashMap<String, MemberSubscriptionAndAssignmentImpl> members = new LinkedHashMap<>();
            Map<Uuid, Map<Integer, String>> inverted = new HashMap<>();
            for (String m : memberIds) {
                Map<Uuid, Set<Integer>> a = new LinkedHashMap<>();
                prev.get(m).forEach((t, ps) -> {
                    a.put(t, Collections.unmodifiableSet(ps));
                    for (int p : ps) inverted.computeIfAbsent(t, k -> new HashMap<>()).put(p, m);
                });
                members.put(m, new MemberSubscriptionAndAssignmentImpl(
                    Optional.empty(), Optional.ofNullable(instances.get(m)), subs.get(m),
                    new Assignment(Collections.unmodifiableMap(a))));
            }
            GroupSpec spec = new GroupSpecImpl(members,
                homogeneous ? SubscriptionType.HOMOGENEOUS : SubscriptionType.HETEROGENEOUS, inverted);
            SubscribedTopicDescriber describer = new SubscribedTopicDescriber() {
                public int numPartitions(Uuid id) { Integer n = topics.get(id); return n == null ? -1 : n; }
                public Set<String> racksForPartition(Uuid id, int p) { return Set.of(); }
            };
            out.append("{\"assignor\":\"").append(assignor.name()).append("\",\"type\":\"")
                .append(homogeneous ? "homogeneous" : "heterogeneous").append("\",\"topics\":{");
            boolean first = true;
            for (Map.Entry<Uuid, Integer> e : topics.entrySet()) {
                out.append(first ? "" : ",").append('"').append(e.getKey()).append("\":").append(e.getValue());
                first = false;
            }
            out.append("},\"members\":[");
            first = true;
            for (String m : memberIds) {
                out.append(first ? "" : ",").append("{\"id\":\"").append(m).append("\",\"instanceId\":")
                    .append(instances.containsKey(m) ? "\"" + instances.get(m) + "\"" : "null").append(",\"subscribed\":[");
                boolean f2 = true;
                for (Uuid t : subs.get(m)) { out.append(f2 ? "" : ",").append('"').append(t).append('"'); f2 = false; }
                out.append("],\"assigned\":").append(json(prev.get(m))).append('}');
                first = false;
            }
            out.append("],\"expected\":");
            try {
                GroupAssignment result = assignor.assign(spec, describer);
                out.append('{');
                first = true;
                for (String m : memberIds) {
                    MemberAssignment ma = result.members().get(m);
                    Map<Uuid, Set<Integer>> ps = ma == null ? Map.of() : ma.partitions();
                    out.append(first ? "" : ",").append('"').append(m).append("\":").append(json(ps));
                    first = false;
                }
                out.append('}');
            } catch (PartitionAssignorException e) {
                out.append("null,\"error\":\"").append(e.getMessage()).append('"');
            }
            out.append("}\n");
        }
        System.out.print(out);
    }

    static LinkedHashSet<Uuid> randomSubset(Random rnd, List<Uuid> topicIds, boolean nonEmpty) {
        LinkedHashSet<Uuid> s = new LinkedHashSet<>();
        for (Uuid t : topicIds) if (rnd.nextInt(3) > 0) s.add(t);
        if (nonEmpty && s.isEmpty()) s.add(topicIds.get(0));
        return s;
    }

    /** In the map's own order: the previous assignment's topic order steers which partitions go. */
    static String json(Map<Uuid, ? extends Set<Integer>> a) {
        StringBuilder b = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<Uuid, ? extends Set<Integer>> e : a.entrySet()) {
            b.append(first ? "" : ",").append('"').append(e.getKey()).append("\":").append(new TreeSet<>(e.getValue()));
            first = false;
        }
        return b.append('}').toString();
    }
}
