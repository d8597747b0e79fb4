package dev.etask.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ActionsWorkflowTest {
  @Test
  void jobNamesAreUniqueAndSafeAsArtifactNames() {
    Path root = Path.of("/repo");
    List<ActionsWorkflow.Job> jobs =
        ActionsWorkflow.jobs(
            root,
            List.of(
                root.resolve("tasks/a.yaml"),
                root.resolve("tasks/nightly/a.yml"),
                root.resolve("tasks/odd name:1.yaml")));
    assertEquals(
        List.of(
            new ActionsWorkflow.Job("a", "tasks/a.yaml"),
            new ActionsWorkflow.Job("a-2", "tasks/nightly/a.yml"),
            new ActionsWorkflow.Job("odd-name-1", "tasks/odd name:1.yaml")),
        jobs);
  }

  @Test
  void theWorkflowListsEverySpecQuotedAndNamesThePluginItWasWrittenBy() {
    String y =
        ActionsWorkflow.yaml(
            List.of(new ActionsWorkflow.Job("a", "tasks/a \"b\".yaml")), 3, "g:p:1.0", "tasks");
    assertTrue(y.startsWith(ActionsWorkflow.HEADER + " from tasks"), y);
    assertTrue(
        y.contains("          - task: \"a\"\n            spec: \"tasks/a \\\"b\\\".yaml\"\n"), y);
    assertTrue(y.contains("max-parallel: 3\n"), y);
    assertTrue(y.contains("run: mvn -B -ntp g:p:1.0:run -Detask.spec=\"$SPEC\""), y);
    assertTrue(!y.contains("@" + "PLUGIN@") && !y.contains("@INCLUDE@"), y);
    assertEquals(
        "{\"include\":[{\"task\":\"a\",\"spec\":\"x.yaml\"}]}\n",
        ActionsWorkflow.matrixJson(List.of(new ActionsWorkflow.Job("a", "x.yaml"))),
        "one line, for a step's output");
  }
}
