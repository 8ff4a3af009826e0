// Reads or writes a quorum-state file with Kafka 4.4.0's own FileQuorumStateStore, so samsa's file
// is checked against what Kafka writes and accepts (run with the Kafka jars on the class path).
//   read FILE                          prints epoch, leader and vote as Kafka parsed them
//   write FILE KRAFT_VERSION leader EPOCH LEADER_ID VOTER,...   (or: voted EPOCH VOTED_ID VOTER,...)
// Several commands in one run (one JVM start) are separated by "+".
import java.io.File;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.raft.ElectionState;
import org.apache.kafka.raft.FileQuorumStateStore;
import org.apache.kafka.raft.ReplicaKey;
import org.apache.kafka.server.common.KRaftVersion;

public class QuorumStateProbe {
  public static void main(String[] all) {
    int start = 0;
    for (int i = 0; i <= all.length; i++) {
      if (i == all.length || all[i].equals("+")) {
        run(Arrays.copyOfRange(all, start, i));
        start = i + 1;
      }
    }
  }

  static void run(String[] args) {
    FileQuorumStateStore store = new FileQuorumStateStore(new File(args[1]));
    if (args[0].equals("read")) {
      ElectionState s = store.readElectionState().orElseThrow();
      int voted = s.optionalVotedKey().map(ReplicaKey::id).orElse(-1);
      System.out.println("epoch=" + s.epoch() + " leaderId=" + s.leaderIdOrSentinel() + " votedId=" + voted);
      return;
    }
    KRaftVersion kraft = args[2].equals("0") ? KRaftVersion.KRAFT_VERSION_0 : KRaftVersion.KRAFT_VERSION_1;
    int epoch = Integer.parseInt(args[4]);
    int id = Integer.parseInt(args[5]);
    Set<Integer> voters = Arrays.stream(args[6].split(",")).map(Integer::valueOf).collect(Collectors.toSet());
    ElectionState state = args[3].equals("leader")
        ? ElectionState.withElectedLeader(epoch, id, java.util.Optional.empty(), voters)
        : ElectionState.withVotedCandidate(epoch, ReplicaKey.of(id, Uuid.ZERO_UUID), voters);
    store.writeElectionState(state, kraft);
  }
}
