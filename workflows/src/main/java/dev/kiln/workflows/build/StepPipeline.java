package dev.kiln.workflows.build;

import dev.kiln.workflows.ActivityCatalog;
import dev.kiln.workflows.FailureType;
import dev.kiln.workflows.sandbox.BuildSandboxHostActivities;
import dev.kiln.workflows.sandbox.RunStep;
import dev.kiln.workflows.sandbox.StepContext;
import dev.kiln.workflows.sandbox.StepOutcome;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The steps one build attempt runs on its host, each still its own RunStep activity, scheduled {@link #AHEAD} steps
 * ahead of the one the workflow waits on. Each names the step it follows, and the host holds it until that step has
 * succeeded there: a step starts the moment the one before it ends, not a round trip through Temporal later, which
 * is most of what a short step cost (#16). The workflow still takes the outcomes in order, so a step's failure
 * fails the build before anything after it is looked at; the host runs nothing after a step that did not succeed.
 *
 * <p>Runs on the workflow thread.
 */
final class StepPipeline {
    /**
     * Steps scheduled beyond the one running. One would do when a round trip through Temporal is shorter than a step;
     * two cover a round trip that takes as long as the shortest step's exec, as under load.
     */
    static final int AHEAD = 2;

    private final TemplateBuildInput input;
    private final String hostId;
    private final String containerId;
    private final List<StepContext> contexts;
    private final List<String> cacheKeys;
    private final int first;
    private final TreeMap<Integer, Scheduled> scheduled = new TreeMap<>();
    private int next;
    /** The step the workflow waited on ended without its host saying how: its heartbeat or its time ran out. */
    private boolean lostTrack;

    private record Scheduled(CancellationScope scope, Promise<StepOutcome> outcome) {}

    /**
     * @param contexts the context each step runs in, known before any runs ({@link TemplateBuildWorkflowImpl#stepContexts})
     * @param first the index of the first step to run; every step before it is done
     */
    StepPipeline(TemplateBuildInput input, String hostId, String containerId, List<StepContext> contexts,
            List<String> cacheKeys, int first) {
        this.input = input;
        this.hostId = hostId;
        this.containerId = containerId;
        this.contexts = contexts;
        this.cacheKeys = cacheKeys;
        this.first = first;
        this.next = first;
    }

    /** Schedules every step up to {@link #AHEAD} after {@code index} that is not scheduled yet. */
    void scheduleThrough(int index) {
        int last = Math.min(index + AHEAD, input.steps().size() - 1);
        for (; next <= last; next++) {
            scheduled.put(next, schedule(next, next == first ? null : input.steps().get(next - 1).number(), index));
        }
    }

    /**
     * The outcome of the step at {@code index}, whose predecessor has succeeded. A step the host did not run in turn
     * (its predecessor ran in a kiln-host that has since restarted) runs now.
     */
    StepOutcome outcome(int index) {
        Scheduled step = scheduled.remove(index);
        try {
            return step.outcome().get();
        } catch (ActivityFailure failure) {
            if (!(failure.getCause() instanceof ApplicationFailure application)) {
                lostTrack = true;
                throw failure;
            }
            if (!FailureType.STEP_OUT_OF_TURN.name().equals(application.getType())) {
                throw failure;
            }
            Workflow.getLogger(StepPipeline.class).info("build {} step {} did not run in turn ({}); running it now",
                    input.buildId(), input.steps().get(index).number(), application.getOriginalMessage());
            return schedule(index, null, index).outcome().get();
        }
    }

    /**
     * Waits for the steps scheduled but not taken, when the build stops or moves on before them. A step that ended
     * on its host, with an outcome or a failure of the host's, has its host skip every step after it, and a cancel of
     * the build reaches them through its scope. Only when the workflow lost track of the step running (a timeout)
     * are they cancelled here: a cancel racing the skip would be harmless on a Temporal server, but the SDK's
     * time-skipping test server fails the workflow task that carries it (sdk-java issue 2391).
     */
    void stop() {
        List<Scheduled> rest = new ArrayList<>(scheduled.values());
        scheduled.clear();
        if (lostTrack) {
            rest.forEach(step -> step.scope().cancel("the build lost track of the step before this one"));
        }
        for (Scheduled step : rest) {
            try {
                step.outcome().get();
            } catch (TemporalFailure endedWithoutRunning) {
                // Skipped, cancelled, or timed out on a lost host: what the build does next does not depend on it.
            }
        }
    }

    /**
     * @param running the index of the first step that has not ended: the host may hold this one until it and every
     *     step between them have
     */
    private Scheduled schedule(int index, Integer afterStep, int running) {
        BuildStep step = input.steps().get(index);
        long waitSeconds = 0;
        for (int before = running; before < index; before++) {
            waitSeconds += input.steps().get(before).timeoutSeconds();
        }
        BuildSandboxHostActivities host = Workflow.newActivityStub(BuildSandboxHostActivities.class,
                ActivityCatalog.step(hostId, step.timeoutSeconds(), waitSeconds, step.text()));
        RunStep request = new RunStep(input.buildId(), containerId, step.number(), step.instruction(),
                step.arguments(), contexts.get(index), step.timeoutSeconds(), cacheKeys.get(index), afterStep);
        List<Promise<StepOutcome>> outcome = new ArrayList<>(1);
        CancellationScope scope = Workflow.newCancellationScope(() -> outcome.add(Async.function(host::runStep, request)));
        scope.run();
        return new Scheduled(scope, outcome.get(0));
    }
}
