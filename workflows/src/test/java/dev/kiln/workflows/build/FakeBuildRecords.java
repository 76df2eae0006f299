package dev.kiln.workflows.build;

import dev.kiln.workflows.FailureType;
import dev.kiln.workflows.sandbox.StepOutcome;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what the workflow wrote, in order, as strings that tests compare. */
final class FakeBuildRecords implements BuildRecordActivities {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<PublishTemplate> published = new CopyOnWriteArrayList<>();
    final Deque<String> hostsToPlace = new ArrayDeque<>(List.of("host-1"));
    volatile boolean nameTakenAtPublish;

    @Override
    public void markRunning(String buildId) {
        events.add("running " + buildId);
    }

    @Override
    public synchronized String placeBuild(PlaceBuild request) {
        String host = hostsToPlace.size() > 1 ? hostsToPlace.poll() : hostsToPlace.peek();
        events.add("placed " + request.buildId() + " on " + host + " excluding " + request.excludedHosts());
        return host;
    }

    @Override
    public void recordStepStarted(String buildId, BuildStep step) {
        events.add("started " + step.number());
    }

    @Override
    public void recordStepFinished(String buildId, BuildStep step, StepOutcome outcome) {
        events.add("finished " + step.number() + " exit " + outcome.exitCode());
    }

    @Override
    public void recordStepTransition(String buildId, BuildStep finished, StepOutcome outcome, BuildStep next) {
        if (finished != null) {
            recordStepFinished(buildId, finished, outcome);
        }
        if (next != null) {
            recordStepStarted(buildId, next);
        }
    }

    @Override
    public void recordStepCached(String buildId, BuildStep step) {
        events.add("cached " + step.number());
    }

    @Override
    public void publishTemplate(PublishTemplate request) {
        if (nameTakenAtPublish) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "template name \"" + request.name() + "\" was taken while the build ran",
                    FailureType.TEMPLATE_NAME_TAKEN.name());
        }
        published.add(request);
        events.add("published " + request.name() + " " + request.type() + " " + request.imageRef());
    }

    @Override
    public void markFailed(String buildId, BuildError error) {
        events.add("failed step " + error.step() + ": " + error.message());
    }

    @Override
    public void markCancelled(String buildId, String fallbackBy) {
        events.add("cancelled by " + fallbackBy);
    }

    @Override
    public void releaseArchive(String buildId) {
        events.add("released archive");
    }
}
