import java.io.*;
import java.util.*;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.placement.*;

// Kafka 4.4.0's own StripedReplicaPlacer, seeded, over a fixed set of clusters: writes each case's
// input (brokers in the order the controller lists them, racks, fencing, partitions, replication
// factor, seed) and Kafka's answer (replicas per partition, or the InvalidReplicationFactorException
// message) as JSON to the file named first. Run by compat/kafka/capture-placement.sh; the tap test
// test/replica/placement.test.ts replays every case against samsa's placer.
public class PlacementFixtures {
  record Broker(int id, String rack, boolean fenced) {}

  static final StringBuilder out = new StringBuilder("[\n");
  static boolean first = true;

  public static void main(String[] a) throws Exception {
    List<Broker> three = brokers(new int[] {1, 2, 3}, null, new int[0]);
    List<Broker> many = brokers(new int[] {4, 1, 9, 3, 7, 2, 8}, null, new int[0]);
    List<Broker> racked = new ArrayList<>();
    String[] abc = {"a", "b", "c"};
    for (int i = 0; i < 9; i++) racked.add(new Broker(i, abc[i % 3], false));
    List<Broker> uneven = new ArrayList<>();
    for (int i = 0; i < 10; i++) uneven.add(new Broker(i, i < 4 ? "A" : i < 9 ? "B" : "C", i == 2 || i == 6));
    List<Broker> fenced = brokers(new int[] {1, 2, 3, 4, 5}, null, new int[] {2, 4});
    List<Broker> allFenced = brokers(new int[] {1, 2, 3}, null, new int[] {1, 2, 3});
    List<Broker> oneUnfenced = brokers(new int[] {1, 2, 3}, null, new int[] {1, 3});
    // More racks than a HashMap's first table holds, two names with the same String hash ("Aa", "BB").
    List<Broker> manyRacks = new ArrayList<>();
    for (int i = 0; i < 26; i++) manyRacks.add(new Broker(100 + i, i < 2 ? (i == 0 ? "Aa" : "BB") : "rack-" + (i * 7 % 26), i % 5 == 4));
    List<Broker> mixed = new ArrayList<>();
    for (int i = 0; i < 6; i++) mixed.add(new Broker(10 + i, i % 3 == 0 ? null : "r" + (i % 2), i == 4));
    List<Broker> fencedRack = new ArrayList<>();
    for (int i = 0; i < 6; i++) fencedRack.add(new Broker(i + 1, "z" + (i % 3), i % 3 == 0));

    Object[][] clusters = {
      {"three", three}, {"many", many}, {"racked", racked}, {"uneven", uneven}, {"fenced", fenced},
      {"allFenced", allFenced}, {"oneUnfenced", oneUnfenced}, {"manyRacks", manyRacks}, {"mixed", mixed},
      {"fencedRack", fencedRack},
    };
    int[][] shapes = {{1, 1}, {3, 1}, {3, 3}, {10, 2}, {50, 3}, {7, 4}, {12, 5}, {100, 3}, {5, 0}, {2, -1}, {4, 9}, {4, 27}};
    long[] seeds = {0, 1, 42, 20260101L, -7L};
    for (Object[] c : clusters) {
      @SuppressWarnings("unchecked")
      List<Broker> bs = (List<Broker>) c[1];
      for (int[] shape : shapes) {
        for (long seed : seeds) emit((String) c[0], bs, shape[0], (short) shape[1], seed);
      }
    }
    out.append("\n]\n");
    try (Writer w = new OutputStreamWriter(new FileOutputStream(a[0]), "UTF-8")) {
      w.write(out.toString());
    }
  }

  static List<Broker> brokers(int[] ids, String rack, int[] fencedIds) {
    List<Broker> list = new ArrayList<>();
    for (int id : ids) list.add(new Broker(id, rack, Arrays.stream(fencedIds).anyMatch(f -> f == id)));
    return list;
  }

  static void emit(String name, List<Broker> brokers, int partitions, short rf, long seed) {
    ClusterDescriber cluster = new ClusterDescriber() {
      public Iterator<UsableBroker> usableBrokers() {
        List<UsableBroker> list = new ArrayList<>();
        for (Broker b : brokers) list.add(new UsableBroker(b.id(), Optional.ofNullable(b.rack()), b.fenced()));
        return list.iterator();
      }

      public Uuid defaultDir(int brokerId) {
        return Uuid.ZERO_UUID;
      }
    };
    StringBuilder s = new StringBuilder();
    s.append("  {\"cluster\": \"").append(name).append("\", \"seed\": ").append(seed)
      .append(", \"partitions\": ").append(partitions).append(", \"replicationFactor\": ").append(rf).append(", \"brokers\": [");
    for (int i = 0; i < brokers.size(); i++) {
      Broker b = brokers.get(i);
      if (i > 0) s.append(", ");
      s.append("{\"id\": ").append(b.id()).append(", \"rack\": ").append(b.rack() == null ? "null" : "\"" + b.rack() + "\"")
        .append(", \"fenced\": ").append(b.fenced()).append("}");
    }
    s.append("], ");
    try {
      TopicAssignment t = new StripedReplicaPlacer(new Random(seed)).place(new PlacementSpec(0, partitions, rf), cluster);
      s.append("\"replicas\": [");
      for (int i = 0; i < t.assignments().size(); i++) {
        if (i > 0) s.append(", ");
        s.append(t.assignments().get(i).replicas());
      }
      s.append("]}");
    } catch (Exception e) {
      s.append("\"error\": \"").append(e.getClass().getSimpleName()).append("\", \"message\": \"")
        .append(e.getMessage().replace("\\", "\\\\").replace("\"", "\\\"")).append("\"}");
    }
    if (!first) out.append(",\n");
    first = false;
    out.append(s);
  }
}
