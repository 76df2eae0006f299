package dev.kiln.activities.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.workflows.golden.GoldenProgress;
import dev.kiln.workflows.golden.WriteRateSample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A build's heartbeats on a sampler of a plain dir: no daemon, no Docker. */
class BuildPhaseTest {
    private GoldenTestRoot root;
    private final List<GoldenProgress> beats = new CopyOnWriteArrayList<>();
    private final RunningBuilds.RunningBuild running = new RunningBuilds().register("b1");

    @BeforeEach
    void createRoot() throws Exception {
        root = new GoldenTestRoot();
    }

    @AfterEach
    void removeRoot() {
        if (running.sampler != null) {
            running.sampler.close();
        }
        root.close();
    }

    @Test
    void onceTheDaemonRunsEveryHeartbeatCarriesTheWriteSeriesSoFar() throws Exception {
        BuildPhase phase = new BuildPhase(beats::add, System.nanoTime(),
                System.nanoTime() + TimeUnit.MINUTES.toNanos(1), running);
        phase.beat(GoldenProgress.START_DAEMON, 0, 0, 0, "Starting the build's Docker daemon");
        Path data = Files.createDirectories(root.root.resolve("data"));
        running.sampler = new WriteRateSampler("b1", new GoldenLayout(root.root).daemon("build", "b1"), data,
                Clock.systemUTC(), Duration.ofHours(1));
        // The sampler also samples once on its own thread as it starts; either way the blob comes after a sample.
        running.sampler.sample();
        Files.write(data.resolve("blob"), new byte[100_000]);
        running.sampler.sample();

        phase.beatScript();

        assertThat(beats.get(0).io()).isNull();
        GoldenProgress script = beats.get(1);
        assertThat(script.phase()).isEqualTo(GoldenProgress.SCRIPT);
        assertThat(script.io().buildId()).isEqualTo("b1");
        assertThat(script.io().running()).isTrue();
        List<WriteRateSample> samples = script.io().samples();
        assertThat(samples).hasSizeBetween(2, 3);
        assertThat(script.writtenBytes()).isEqualTo(samples.get(samples.size() - 1).writeBytes())
                .isGreaterThanOrEqualTo(100_000);
    }

    @Test
    void aCancelOrThePassedDeadlineStopsTheBuildAtItsNextHeartbeat() {
        BuildPhase late = new BuildPhase(beats::add, System.nanoTime(), System.nanoTime() - 1, running);
        assertThatThrownBy(() -> late.beat(GoldenProgress.COPY, 0, 0, 0, "copy"))
                .isInstanceOf(BuildPhase.DeadlineExceeded.class);

        running.cancelled = true;
        BuildPhase cancelled = new BuildPhase(beats::add, System.nanoTime(),
                System.nanoTime() + TimeUnit.MINUTES.toNanos(1), running);
        assertThatThrownBy(() -> cancelled.beat(GoldenProgress.COPY, 0, 0, 0, "copy"))
                .hasMessageContaining("cancelled");
        assertThat(beats).isEmpty();
    }
}
