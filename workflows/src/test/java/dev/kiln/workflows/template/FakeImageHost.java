package dev.kiln.workflows.template;

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
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A host that only removes images, logging "hostId: remove ref attempt n" into a log it shares with the control
 * side. Queued failures are thrown one per attempt; a removal waits for {@link #release} before it finishes, and
 * the host counts how many of its removals ever ran at once.
 */
final class FakeImageHost implements BuildSandboxHostActivities {
    private final String hostId;
    private final List<String> log;
    private final AtomicInteger running = new AtomicInteger();
    final AtomicInteger mostAtOnce = new AtomicInteger();
    final Deque<RuntimeException> failures = new ConcurrentLinkedDeque<>();
    final CountDownLatch removing = new CountDownLatch(1);
    volatile CountDownLatch release = new CountDownLatch(0);

    FakeImageHost(String hostId, List<String> log) {
        this.hostId = hostId;
        this.log = log;
    }

    @Override
    public void removeImage(String imageRef) {
        log.add(hostId + ": remove " + imageRef + " attempt " + Activity.getExecutionContext().getInfo().getAttempt());
        mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
        try {
            RuntimeException failure = failures.poll();
            if (failure != null) {
                throw failure;
            }
            removing.countDown();
            if (!release.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never released the removal of " + imageRef);
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        } finally {
            running.decrementAndGet();
        }
    }

    @Override
    public String createBuildSandbox(CreateBuildSandbox request) {
        throw new UnsupportedOperationException("template images only remove images");
    }

    @Override
    public StepContext readEnvironment(String containerId) {
        throw new UnsupportedOperationException("template images only remove images");
    }

    @Override
    public ArchiveDigest uploadArchive(UploadArchive request) {
        throw new UnsupportedOperationException("template images only remove images");
    }

    @Override
    public StepCachePlan resolveStepCache(ResolveStepCache request) {
        throw new UnsupportedOperationException("template images only remove images");
    }

    @Override
    public StepCacheGcResult collectStepCache() {
        throw new UnsupportedOperationException("template images only remove images");
    }

    @Override
    public StepOutcome runStep(RunStep request) {
        throw new UnsupportedOperationException("template images only remove images");
    }

    @Override
    public HealthResult probeHealth(HealthProbe request) {
        throw new UnsupportedOperationException("template images only remove images");
    }

    @Override
    public ImageInfo commitSandbox(CommitSandbox request) {
        throw new UnsupportedOperationException("template images only remove images");
    }

    @Override
    public ImageInfo flattenSandbox(CommitSandbox request) {
        throw new UnsupportedOperationException("template images only remove images");
    }

    @Override
    public void destroyBuildSandbox(String buildId) {
        throw new UnsupportedOperationException("template images only remove images");
    }
}
