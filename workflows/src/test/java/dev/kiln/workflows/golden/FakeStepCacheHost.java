package dev.kiln.workflows.golden;

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
import java.util.List;

/** A host's step cache as the garbage collection sees it: it logs each collection and reports what it removed. */
final class FakeStepCacheHost implements BuildSandboxHostActivities {
    private final String hostId;
    private final List<String> log;
    volatile StepCacheGcResult collected = new StepCacheGcResult(0, 0, 0, 0);

    FakeStepCacheHost(String hostId, List<String> log) {
        this.hostId = hostId;
        this.log = log;
    }

    @Override
    public StepCacheGcResult collectStepCache() {
        log.add(hostId + ": collect step cache");
        return collected;
    }

    @Override
    public String createBuildSandbox(CreateBuildSandbox request) {
        throw new UnsupportedOperationException("the collection only collects");
    }

    @Override
    public StepContext readEnvironment(String containerId) {
        throw new UnsupportedOperationException("the collection only collects");
    }

    @Override
    public ArchiveDigest uploadArchive(UploadArchive request) {
        throw new UnsupportedOperationException("the collection only collects");
    }

    @Override
    public StepCachePlan resolveStepCache(ResolveStepCache request) {
        throw new UnsupportedOperationException("the collection only collects");
    }

    @Override
    public StepOutcome runStep(RunStep request) {
        throw new UnsupportedOperationException("the collection only collects");
    }

    @Override
    public HealthResult probeHealth(HealthProbe request) {
        throw new UnsupportedOperationException("the collection only collects");
    }

    @Override
    public ImageInfo commitSandbox(CommitSandbox request) {
        throw new UnsupportedOperationException("the collection only collects");
    }

    @Override
    public ImageInfo flattenSandbox(CommitSandbox request) {
        throw new UnsupportedOperationException("the collection only collects");
    }

    @Override
    public void destroyBuildSandbox(String buildId) {
        throw new UnsupportedOperationException("the collection only collects");
    }

    @Override
    public void removeImage(String imageRef) {
        throw new UnsupportedOperationException("the collection only collects");
    }
}
