import dev.etask.core.process.ProcessRunner;
import java.nio.file.*;
public class Exp7 { public static void main(String[] a) {
  System.out.println("via real path: " + ProcessRunner.holdersOf(Path.of("/tmp/exp7/real/.git/index.lock")));
  System.out.println("via symlinked path: " + ProcessRunner.holdersOf(Path.of("/tmp/exp7/link/.git/index.lock")));
}}
