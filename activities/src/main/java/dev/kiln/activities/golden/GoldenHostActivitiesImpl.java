package dev.kiln.activities.golden;

import static java.util.Objects.requireNonNull;

import com.github.dockerjava.api.DockerClient;
import dev.kiln.workflows.golden.GoldenBuildRequest;
import dev.kiln.workflows.golden.GoldenBuildResult;
import dev.kiln.workflows.golden.GoldenGcResult;
import dev.kiln.workflows.golden.GoldenGeneration;
import dev.kiln.workflows.golden.GoldenHostActivities;
import dev.kiln.workflows.golden.GoldenProgress;
import dev.kiln.workflows.golden.GoldenPurgeResult;
import dev.kiln.workflows.golden.SessionInfo;
import dev.kiln.workflows.golden.SessionStart;
import dev.kiln.workflows.golden.SessionStop;
import dev.kiln.workflows.golden.WriteRateSeries;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The Temporal side of golden caches on this host's disk: each activity hands its heartbeat to one of the plain
 * classes that do the work ({@link GoldenBuilder}, {@link GenerationStore}, {@link SessionCopies},
 * {@link GoldenGarbageCollector}) and turns their {@link GoldenRefusal}s into {@code ApplicationFailure}s. See
 * {@link GoldenLayout} for where everything lives.
 */
public final class GoldenHostActivitiesImpl implements GoldenHostActivities {
    public static final String MINIMAL_IMAGE = BaseImageLoader.MINIMAL_IMAGE;

    private final GoldenLayout layout;
    private final GoldenBuilder builder;
    private final GenerationStore generations;
    private final SessionCopies sessions;
    private final GoldenGarbageCollector garbage;

    /** kiln-host's: the minimal base image, default copy workers, a write sample every two seconds. */
    public GoldenHostActivitiesImpl(Path root, DockerClient hostDocker, Clock clock, GoldenCopyListener copyListener) {
        this(root, hostDocker, List.of(MINIMAL_IMAGE), clock, ParallelCopier.withDefaults(), Duration.ofSeconds(2),
                copyListener);
    }

    /**
     * @param baseImages images loaded from the host's engine into every build daemon, so warm-up scripts can build
     *     and run on them without a registry
     * @param sampleInterval how often a build's writes are sampled
     * @param copyListener told of every finished session copy (kiln-host's copy-throughput metrics)
     */
    public GoldenHostActivitiesImpl(Path root, DockerClient hostDocker, List<String> baseImages, Clock clock,
            ParallelCopier copier, Duration sampleInterval, GoldenCopyListener copyListener) {
        requireNonNull(root, "root is null");
        requireNonNull(hostDocker, "hostDocker is null");
        requireNonNull(baseImages, "baseImages is null");
        requireNonNull(clock, "clock is null");
        requireNonNull(copier, "copier is null");
        requireNonNull(sampleInterval, "sampleInterval is null");
        requireNonNull(copyListener, "copyListener is null");
        this.layout = new GoldenLayout(root);
        RunningBuilds builds = new RunningBuilds();
        this.generations = new GenerationStore(layout, copier, clock, builds);
        this.builder = new GoldenBuilder(layout, generations, builds, new BaseImageLoader(hostDocker, baseImages),
                clock, sampleInterval);
        this.sessions = new SessionCopies(layout, generations, clock, copyListener);
        this.garbage = new GoldenGarbageCollector(layout, generations, sessions, builds, clock);
    }

    public GoldenLayout layout() {
        return layout;
    }

    @Override
    public GoldenBuildResult build(GoldenBuildRequest request) {
        return build(request, heartbeat());
    }

    /** The build with the heartbeat passed in: a heartbeat that throws (a cancel) stops and cleans up the build. */
    GoldenBuildResult build(GoldenBuildRequest request, Consumer<GoldenProgress> heartbeat) {
        return refusalsAsFailures(() -> builder.build(request, heartbeat));
    }

    @Override
    public GoldenPurgeResult purge(String projectId, String buildId) {
        return refusalsAsFailures(() -> generations.purge(projectId, buildId));
    }

    @Override
    public GoldenGeneration promote(String projectId, String buildId) {
        return refusalsAsFailures(() -> generations.promote(projectId, buildId));
    }

    @Override
    public WriteRateSeries writeRate(String buildId) {
        return builder.writeRate(buildId);
    }

    @Override
    public void cancelBuild(String projectId, String buildId) {
        builder.cancel(projectId, buildId);
    }

    @Override
    public void clearGolden(String projectId) {
        refusalsAsFailures(() -> {
            garbage.clear(projectId);
            return null;
        });
    }

    @Override
    public GoldenGeneration current(String projectId) {
        return generations.current(projectId);
    }

    @Override
    public SessionInfo startSession(SessionStart request) {
        return startSession(request, heartbeat());
    }

    SessionInfo startSession(SessionStart request, Consumer<GoldenProgress> heartbeat) {
        return refusalsAsFailures(() -> sessions.start(request, heartbeat));
    }

    @Override
    public void stopSession(SessionStop request) {
        sessions.stop(request);
    }

    @Override
    public GoldenGcResult collectGarbage(Duration idle) {
        return garbage.collect(idle);
    }

    /**
     * Progress goes to Temporal as heartbeat details only: kiln-api reads them from the pending activity, the UI
     * shows them, and unlike a signal to the workflow they add nothing to its history. The SDK throttles them.
     */
    private static Consumer<GoldenProgress> heartbeat() {
        ActivityExecutionContext activity = Activity.getExecutionContext();
        return activity::heartbeat;
    }

    /**
     * The one place golden refusals cross into Temporal: as failures of the type the workflows branch on, with the
     * refusal's own cause (if any) rather than the refusal, so the failure reads as it always did.
     */
    private static <T> T refusalsAsFailures(Supplier<T> work) {
        try {
            return work.get();
        } catch (GoldenRefusal refusal) {
            throw refusal.retryable()
                    ? ApplicationFailure.newFailureWithCause(refusal.getMessage(), refusal.type().name(),
                            refusal.getCause())
                    : ApplicationFailure.newNonRetryableFailureWithCause(refusal.getMessage(), refusal.type().name(),
                            refusal.getCause());
        }
    }
}
