import java.io.*;
import java.nio.file.*;
import java.util.*;
// Kafka 4.4.0's own config validation (KafkaConfig.fromProps) over cases separated by lines "### NAME";
// writes "NAME<TAB>OK" or "NAME<TAB>ERROR<TAB>ExceptionClass<TAB>message" per case to the file named second
// (Kafka logs its warnings on stdout). Run by compat/kafka/capture-node-config.sh.
public class KafkaConfigCheck {
  public static void main(String[] a) throws Exception {
    String text = new String(Files.readAllBytes(Paths.get(a[0])), "UTF-8");
    PrintStream out = new PrintStream(new FileOutputStream(a[1]), true, "UTF-8");
    String[] parts = text.split("(?m)^### ");
    for (String part : parts) {
      if (part.trim().isEmpty() || part.startsWith("#")) continue; // blank, or the comments before the first case
      int nl = part.indexOf('\n');
      String name = part.substring(0, nl).trim();
      Properties p = new Properties();
      p.load(new StringReader(part.substring(nl + 1)));
      try {
        kafka.server.KafkaConfig.fromProps(p, false);
        out.println(name + "\tOK");
      } catch (Throwable e) {
        out.println(name + "\tERROR\t" + e.getClass().getSimpleName() + "\t" + String.valueOf(e.getMessage()).replace("\n", "\\n"));
      }
    }
  }
}
