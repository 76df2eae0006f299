package dev.kiln.workflows.build;

import dev.kiln.workflows.sandbox.CommitSandbox;
import dev.kiln.workflows.sandbox.CreateBuildSandbox;
import dev.kiln.workflows.sandbox.ImageInfo;
import dev.kiln.workflows.sandbox.RunStep;
import dev.kiln.workflows.sandbox.SandboxActivities;
import dev.kiln.workflows.sandbox.StepOutcome;
import io.temporal.activity.Activity;
import io.temporal.client.ActivityCompletionException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A host that runs steps by rule: a command containing "fail" exits 2, one containing "block" waits for cancel. */
final class FakeSandbox implements SandboxActivities {
    final List<String> events = new CopyOnWriteArrayList<>();
    final CountDownLatch blockedStepStarted = new CountDownLatch(1);

    @Override
    public String createBuildSandbox(CreateBuildSandbox request) {
        events.add("create " + request.imageRef());
        return "container-" + request.buildId();
    }

    @Override
    public StepOutcome runStep(RunStep request) {
        events.add("run " + request.command());
        if (request.command().contains("block")) {
            blockedStepStarted.countDown();
            return waitForCancel(request);
        }
        if (request.command().contains("fail")) {
            return new StepOutcome(request.step(), 2, "", "boom: no such file", 5, false);
        }
        return new StepOutcome(request.step(), 0, "ok", "", 5, false);
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
        return new StepOutcome(request.step(), 0, "", "", 0, false);
    }

    @Override
    public ImageInfo commitSandbox(CommitSandbox request) {
        events.add("commit " + request.imageRef());
        return new ImageInfo(request.imageRef(), "sha256:abc", 1234);
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
