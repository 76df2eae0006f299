package dev.kiln.workflows.build;

import dev.kiln.workflows.FailureType;
import dev.kiln.workflows.sandbox.ArchiveDigest;
import dev.kiln.workflows.sandbox.BuildSandboxHostActivities;
import dev.kiln.workflows.sandbox.CommitSandbox;
import dev.kiln.workflows.sandbox.CreateBuildSandbox;
import dev.kiln.workflows.sandbox.HealthProbe;
import dev.kiln.workflows.sandbox.HealthResult;
import dev.kiln.workflows.sandbox.ImageInfo;
import dev.kiln.workflows.sandbox.ResolveStepCache;
import dev.kiln.workflows.sandbox.RunStep;
import dev.kiln.workflows.sandbox.StepCacheGcResult;
import dev.kiln.workflows.sandbox.StepCachePlan;
import dev.kiln.workflows.sandbox.StepContext;
import dev.kiln.workflows.sandbox.StepOutcome;
import dev.kiln.workflows.sandbox.UploadArchive;
import io.temporal.activity.Activity;
import io.temporal.client.ActivityCompletionException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A host that executes steps by rule: ENV/USER/WORKDIR change the context as the real host does, a RUN
 * containing "fail" exits 2, one containing "block" heartbeats until cancelled. {@link #goSilentAtStep} makes it
 * a host that is lost in the middle of a step.
 */
final class FakeSandbox implements BuildSandboxHostActivities {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<RunStep> steps = new CopyOnWriteArrayList<>();
    /** The host's step cache: the keys of the steps it committed, which later builds on this fake find. */
    final Set<String> cachedKeys = ConcurrentHashMap.newKeySet();
    /** The digest the archive's entries under each COPY source have; a test changes one to change the archive. */
    final Map<String, String> archiveEntries = new ConcurrentHashMap<>();
    final CountDownLatch blockedStepStarted = new CountDownLatch(1);
    /** Whether each step that ended succeeded, by build id and step number. */
    private final Map<String, Boolean> stepsEnded = new ConcurrentHashMap<>();
    private final Set<Integer> forgottenEnds = ConcurrentHashMap.newKeySet();
    volatile boolean healthy = true;
    private volatile TestWorkflowEnvironment silentIn;
    private volatile int silentAtStep;
    private volatile boolean silentOnce;
    /** A step whose command says "engine restarts" dies with its sandbox the first time, as on an engine restart. */
    private volatile boolean engineRestarted;

    /**
     * From step {@code step} on, the host stops answering: the step neither heartbeats nor returns until the test
     * server's clock has passed the step's heartbeat timeout. The time-skipping server does not advance its clock
     * while an activity is pending, so the step itself lends its time lock through {@code environment.sleep};
     * without that the lost-host test would wait out the 30 s heartbeat timeout in real time.
     */
    void goSilentAtStep(TestWorkflowEnvironment environment, int step) {
        silentIn = environment;
        silentAtStep = step;
    }

    /** As {@link #goSilentAtStep}, once: the host then comes back (kiln-host restarted) and answers again. */
    void goSilentOnceAtStep(TestWorkflowEnvironment environment, int step) {
        goSilentAtStep(environment, step);
        silentOnce = true;
    }

    @Override
    public String createBuildSandbox(CreateBuildSandbox request) {
        // A rerun's sandbox is new: nothing of the steps that ran in the one before counts for its steps' turns.
        stepsEnded.keySet().removeIf(key -> key.startsWith(request.buildId() + "/"));
        events.add("create " + request.imageRef());
        return "container-" + request.buildId();
    }

    @Override
    public StepContext readEnvironment(String containerId) {
        return new StepContext("", Map.of("PATH", "/usr/bin", "HOME", "/root"), "root");
    }

    @Override
    public ArchiveDigest uploadArchive(UploadArchive request) {
        events.add("upload archive");
        if (request.copySources() == null) {
            return null;
        }
        Map<String, String> sources = new TreeMap<>();
        request.copySources().forEach(source -> sources.put(source, archiveEntries.getOrDefault(source, "empty")));
        return new ArchiveDigest(String.join(",", sources.values()), sources);
    }

    /**
     * Keys the steps as the real host does, on a base image id of its own, and takes the leading steps whose keys
     * {@link #runStep} committed earlier.
     */
    @Override
    public StepCachePlan resolveStepCache(ResolveStepCache request) {
        List<String> keys = StepCacheKeys.keys(
                "sha256:" + request.baseImageRef(), request.steps(), request.contexts(), request.archive());
        int cached = request.lookup()
                ? StepCacheKeys.cachedPrefix(request.steps(), keys, cachedKeys::contains).steps() : 0;
        events.add("resolve cache " + (request.lookup() ? "lookup" : "no lookup") + ": " + cached + " cached");
        return new StepCachePlan(request.containerId(), keys, cached);
    }

    @Override
    public StepCacheGcResult collectStepCache() {
        events.add("collect step cache");
        return new StepCacheGcResult(0, 0, cachedKeys.size(), 0);
    }

    /**
     * As the real host does, a step scheduled ahead waits until the step it follows has ended here, and runs only
     * when that succeeded; whatever ends a step is recorded for the one after it.
     */
    @Override
    public StepOutcome runStep(RunStep request) {
        if (request.afterStep() != null) {
            awaitTurn(request);
        }
        StepOutcome outcome = null;
        boolean lost = false;
        try {
            outcome = runInTurn(request);
            return outcome;
        } catch (HostLostException gone) {
            // A host that is gone says nothing more, to the server or to the steps waiting on it.
            lost = true;
            throw gone;
        } finally {
            if (!lost) {
                stepsEnded.put(request.buildId() + "/" + request.step(), outcome != null && outcome.ok());
            }
        }
    }

    /** The host forgets that this step ended, as a kiln-host that restarted after it did: the step after it is told so. */
    void forgetEndOf(int step) {
        forgottenEnds.add(step);
    }

    private void awaitTurn(RunStep request) {
        String predecessor = request.buildId() + "/" + request.afterStep();
        if (forgottenEnds.remove(request.afterStep())) {
            stepsEnded.put(request.buildId() + "/" + request.step(), false);
            throw ApplicationFailure.newNonRetryableFailure("step " + request.step() + " did not run: step "
                    + request.afterStep() + " is not running on this host", FailureType.STEP_OUT_OF_TURN.name());
        }
        try {
            while (!stepsEnded.containsKey(predecessor)) {
                Activity.getExecutionContext().heartbeat(null);
                TimeUnit.MILLISECONDS.sleep(10);
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        } catch (ActivityCompletionException cancelled) {
            stepsEnded.put(request.buildId() + "/" + request.step(), false);
            throw cancelled;
        }
        if (!stepsEnded.get(predecessor)) {
            stepsEnded.put(request.buildId() + "/" + request.step(), false);
            throw ApplicationFailure.newNonRetryableFailure("step " + request.step() + " did not run: step "
                    + request.afterStep() + " did not succeed", FailureType.STEP_OUT_OF_TURN.name());
        }
    }

    private StepOutcome runInTurn(RunStep request) {
        steps.add(request);
        String argument = request.arguments().get(0);
        events.add(request.instruction() + " " + argument);
        if (silentAtStep > 0 && request.step() >= silentAtStep) {
            if (silentOnce) {
                silentAtStep = 0;
            }
            return goSilent(request);
        }
        StepContext context = request.context();
        return committed(request, switch (request.instruction()) {
            case "ENV" -> {
                Map<String, String> env = new TreeMap<>(context.env());
                env.put(argument, request.arguments().get(1));
                yield ok(request, new StepContext(context.workdir(), env, context.user()));
            }
            case "WORKDIR" -> ok(request, new StepContext(argument, context.env(), context.user()));
            case "USER" -> {
                Map<String, String> env = new TreeMap<>(context.env());
                env.put("HOME", "/home/" + argument);
                yield ok(request, new StepContext(context.workdir(), env, argument));
            }
            default -> run(request);
        });
    }

    private StepOutcome committed(RunStep request, StepOutcome outcome) {
        if (outcome.ok() && request.cacheKey() != null
                && StepCacheKeys.changesFiles(request.instruction(), request.arguments())) {
            cachedKeys.add(request.cacheKey());
        }
        return outcome;
    }

    private StepOutcome run(RunStep request) {
        String command = request.arguments().get(0);
        if (command.contains("block")) {
            blockedStepStarted.countDown();
            return waitForCancel(request);
        }
        if (command.contains("fail")) {
            return new StepOutcome(request.step(), 2, "", "boom: no such file", 5, false, request.context());
        }
        if (command.contains("engine restarts") && !engineRestarted) {
            engineRestarted = true;
            events.add("engine restarted at " + request.step());
            throw ApplicationFailure.newNonRetryableFailure("build sandbox container-" + request.buildId()
                    + " died during step " + request.step() + ": its container stopped", FailureType.SANDBOX_GONE.name());
        }
        return ok(request, request.context());
    }

    private static StepOutcome ok(RunStep request, StepContext context) {
        return new StepOutcome(request.step(), 0, "ok", "", 5, false, context);
    }

    private StepOutcome waitForCancel(RunStep request) {
        try {
            for (int i = 0; i < 600; i++) {
                Activity.getExecutionContext().heartbeat(i);
                TimeUnit.MILLISECONDS.sleep(100);
            }
        } catch (ActivityCompletionException cancelled) {
            events.add("killed " + request.step());
            throw cancelled;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        return ok(request, request.context());
    }

    private StepOutcome goSilent(RunStep request) {
        Duration heartbeatTimeout = Activity.getExecutionContext().getInfo().getHeartbeatTimeout();
        events.add("silent at " + request.step());
        silentIn.sleep(heartbeatTimeout.plusSeconds(1));
        // The workflow has given up on this host by now; the server drops whatever a late host answers.
        throw new HostLostException("host came back after its step " + request.step() + " timed out");
    }

    private static final class HostLostException extends IllegalStateException {
        HostLostException(String message) {
            super(message);
        }
    }

    @Override
    public HealthResult probeHealth(HealthProbe request) {
        events.add("probe " + request.command() + " as " + request.user());
        return healthy ? new HealthResult(true, 1, 0, "") : new HealthResult(false, 3, 3, "connection refused");
    }

    @Override
    public ImageInfo commitSandbox(CommitSandbox request) {
        events.add("commit " + request.imageRef() + " user " + request.user() + " workdir " + request.workdir());
        return new ImageInfo(request.imageRef(), "sha256:abc", 1234, 5, "id of " + request.baseImageRef());
    }

    @Override
    public ImageInfo flattenSandbox(CommitSandbox request) {
        events.add("flatten " + request.imageRef() + " user " + request.user() + " workdir " + request.workdir());
        return new ImageInfo(request.imageRef(), "sha256:def", 1000, 1, "id of " + request.baseImageRef());
    }

    @Override
    public void destroyBuildSandbox(String buildId) {
        events.add("destroy " + buildId);
    }

    @Override
    public void removeImage(String imageRef) {
        events.add("remove image " + imageRef);
    }
}
