package dev.kiln.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.workflows.build.TemplateBuildWorkflowImpl;
import dev.kiln.workflows.golden.GoldenClearWorkflowImpl;
import dev.kiln.workflows.golden.GoldenGcWorkflowImpl;
import dev.kiln.workflows.golden.GoldenHostBuildWorkflowImpl;
import dev.kiln.workflows.golden.GoldenWorkflowImpl;
import dev.kiln.workflows.golden.SessionWorkflowImpl;
import dev.kiln.workflows.host.HostWorkflowImpl;
import dev.kiln.workflows.host.LeaseSweeperWorkflowImpl;
import dev.kiln.workflows.sandbox.SandboxWorkflowImpl;
import dev.kiln.workflows.snapshot.SnapshotWorkflowImpl;
import dev.kiln.workflows.template.TemplateImagesWorkflowImpl;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Today's workflow code replays the histories of real end-to-end runs (src/test/resources/histories, recorded by
 * the api/server ITs' HistoryRecorder). A change that would send a running workflow down a different command
 * sequence fails here instead of in production: guard it with {@code Workflow.getVersion}, or, only when no
 * execution of the old code can still be open, re-record the history and say so in the commit.
 */
class WorkflowReplayTest {
    /** Every workflow type the control worker registers, and its implementation. */
    private static final Map<String, Class<?>> IMPLEMENTATIONS = Map.ofEntries(
            Map.entry("TemplateBuild", TemplateBuildWorkflowImpl.class),
            Map.entry("HostLifecycle", HostWorkflowImpl.class),
            Map.entry("LeaseSweeper", LeaseSweeperWorkflowImpl.class),
            Map.entry("SandboxWorkflow", SandboxWorkflowImpl.class),
            Map.entry("SnapshotWorkflow", SnapshotWorkflowImpl.class),
            Map.entry("TemplateImagesWorkflow", TemplateImagesWorkflowImpl.class),
            Map.entry("GoldenWorkflow", GoldenWorkflowImpl.class),
            Map.entry("GoldenHostBuildWorkflow", GoldenHostBuildWorkflowImpl.class),
            Map.entry("SessionWorkflow", SessionWorkflowImpl.class),
            Map.entry("GoldenClearWorkflow", GoldenClearWorkflowImpl.class),
            Map.entry("GoldenGcWorkflow", GoldenGcWorkflowImpl.class));

    @ParameterizedTest(name = "{0}")
    @MethodSource("histories")
    void todaysCodeReplaysARecordedHistory(String file) throws Exception {
        WorkflowExecutionHistory history = read(file);
        String type = typeOf(history);
        assertThat(IMPLEMENTATIONS).as("the workflow type of " + file).containsKey(type);

        WorkflowReplayer.replayWorkflowExecution(history, IMPLEMENTATIONS.get(type));
    }

    @Test
    void everyWorkflowTypeHasARecordedHistory() throws Exception {
        TreeSet<String> recorded = new TreeSet<>();
        for (String file : histories()) {
            recorded.add(typeOf(read(file)));
        }

        assertThat(recorded).containsExactlyInAnyOrderElementsOf(IMPLEMENTATIONS.keySet());
    }

    static List<String> histories() throws IOException, URISyntaxException {
        try (Stream<Path> files = Files.list(directory())) {
            return files.map(path -> path.getFileName().toString()).filter(name -> name.endsWith(".json")).sorted()
                    .toList();
        }
    }

    private static WorkflowExecutionHistory read(String file) throws IOException, URISyntaxException {
        return WorkflowExecutionHistory.fromJson(Files.readString(directory().resolve(file)));
    }

    private static String typeOf(WorkflowExecutionHistory history) {
        return history.getEvents().get(0).getWorkflowExecutionStartedEventAttributes().getWorkflowType().getName();
    }

    private static Path directory() throws URISyntaxException {
        return Path.of(WorkflowReplayTest.class.getResource("/histories").toURI());
    }
}
