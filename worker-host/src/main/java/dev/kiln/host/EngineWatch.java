package dev.kiln.host;

import static java.util.Objects.requireNonNull;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import dev.kiln.activities.docker.HostLabels;
import io.dropwizard.lifecycle.Managed;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the engine's events for this host's sandbox containers (#13.4): a sandbox that dies or is killed for
 * memory is news for kiln-api now, not at the next periodic reconcile. When the event stream breaks (the engine
 * restarted, which kills every container) it reconnects, and the break itself counts as news: whatever died while
 * nobody listened is found by the reconcile it triggers.
 */
final class EngineWatch implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(EngineWatch.class);
    private static final Duration RECONNECT_DELAY = Duration.ofSeconds(2);

    private final DockerClient docker;
    private final HostLabels labels;
    private final Runnable onSandboxesChanged;
    private final ScheduledExecutorService reconnects = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "kiln-engine-watch");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean stopped;
    private volatile Closeable stream;
    /** A break is reported once until the stream is back: an engine that stays down is one change, not one a try. */
    private volatile boolean breakReported;

    EngineWatch(DockerClient docker, HostLabels labels, Runnable onSandboxesChanged) {
        this.docker = requireNonNull(docker, "docker is null");
        this.labels = requireNonNull(labels, "labels is null");
        this.onSandboxesChanged = requireNonNull(onSandboxesChanged, "onSandboxesChanged is null");
    }

    @Override
    public void start() {
        reconnects.execute(this::follow);
    }

    private void follow() {
        if (stopped) {
            return;
        }
        try {
            stream = docker.eventsCmd()
                    .withEventTypeFilter(EventType.CONTAINER)
                    .withEventFilter("die", "oom")
                    .withLabelFilter(labels.sandboxes())
                    .exec(new ResultCallback.Adapter<>() {
                        @Override
                        public void onStart(Closeable open) {
                            super.onStart(open);
                            breakReported = false;
                        }

                        @Override
                        public void onNext(Event event) {
                            LOG.info("engine: sandbox container {} {}", event.getId(), event.getAction());
                            onSandboxesChanged.run();
                        }

                        @Override
                        public void onError(Throwable failure) {
                            brokenOff(failure.toString());
                        }

                        @Override
                        public void onComplete() {
                            brokenOff("the engine closed the event stream");
                        }
                    });
        } catch (RuntimeException engineAway) {
            brokenOff(engineAway.toString());
        }
    }

    private void brokenOff(String why) {
        if (stopped) {
            return;
        }
        if (!breakReported) {
            breakReported = true;
            LOG.warn("engine events stopped ({}); reconnecting, and reconciling what changed meanwhile", why);
            onSandboxesChanged.run();
        }
        reconnects.schedule(this::follow, RECONNECT_DELAY.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() throws IOException {
        stopped = true;
        reconnects.shutdownNow();
        Closeable open = stream;
        if (open != null) {
            open.close();
        }
    }
}
