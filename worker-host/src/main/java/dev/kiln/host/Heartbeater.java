package dev.kiln.host;

import static java.util.Objects.requireNonNull;

import io.dropwizard.lifecycle.Managed;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews this host's lease with kiln-api, at start and then at the pace each reply sets (kiln-api stretches it as the
 * fleet grows, #15). A beat carries the load only when it changed enough ({@link LoadReport}), and says when the
 * host paused its sandboxes or its engine reported sandboxes dying; the latter is sent within a second rather than at
 * the next beat. A rejected token is refreshed once; a 404 means the host was deleted, so the credentials are wiped
 * and the process told to exit.
 */
public final class Heartbeater implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(Heartbeater.class);
    /** After this many network failures in a row the host counts itself cut off (the API will say unreachable). */
    static final int NETWORK_FAILURES_BEFORE_ISOLATED = 3;
    /** Bounds on the pace a reply may set: a reply that says 0 or a day is a bug on the other side, not a plan. */
    static final Duration SHORTEST_INTERVAL = Duration.ofSeconds(1);
    static final Duration LONGEST_INTERVAL = Duration.ofMinutes(10);
    /** Engine events come in bursts (every sandbox dies when the engine restarts): one beat reports them all. */
    static final Duration CHANGE_COALESCING = Duration.ofMillis(500);

    private final ApiClient api;
    private final CredentialsStore store;
    private final Supplier<Map<String, Object>> load;
    private final LoadReport loadReport = new LoadReport();
    private final Clock clock;
    private final Runnable onDeleted;
    private final Runnable onIsolated;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "kiln-heartbeat");
        thread.setDaemon(true);
        return thread;
    });
    private volatile HostCredentials credentials;
    /** What the last reply asked for; the configured interval until a reply has. */
    private volatile Duration interval;
    private ScheduledFuture<?> nextBeat;
    private int consecutiveNetworkFailures;
    /**
     * Set when the host paused its sandboxes, cleared once a heartbeat has told kiln-api, which may not have noticed
     * an outage that short and still list them as running.
     */
    private boolean pausedSandboxes;
    /** Set by the engine watch, cleared once a heartbeat has told kiln-api. */
    private final AtomicBoolean sandboxesChanged = new AtomicBoolean();

    public Heartbeater(ApiClient api, CredentialsStore store, HostCredentials credentials,
            Supplier<Map<String, Object>> load, Duration interval, Clock clock, Runnable onDeleted,
            Runnable onIsolated) {
        this.api = requireNonNull(api, "api is null");
        this.store = requireNonNull(store, "store is null");
        this.credentials = requireNonNull(credentials, "credentials is null");
        this.load = requireNonNull(load, "load is null");
        this.interval = requireNonNull(interval, "interval is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.onDeleted = requireNonNull(onDeleted, "onDeleted is null");
        this.onIsolated = requireNonNull(onIsolated, "onIsolated is null");
    }

    /** The credentials as of the last refresh, for other calls to kiln-api (archive downloads). */
    public HostCredentials currentCredentials() {
        return credentials;
    }

    /** The pace kiln-api set with its last reply. */
    Duration interval() {
        return interval;
    }

    /** The engine reported a sandbox container dying, or the host lost track of the engine's events. */
    public void sandboxesChanged() {
        sandboxesChanged.set(true);
        scheduleNext(CHANGE_COALESCING);
    }

    @Override
    public void start() {
        scheduleNext(Duration.ZERO);
    }

    @Override
    public void stop() {
        scheduler.shutdownNow();
    }

    /**
     * Replaces the pending beat with one after {@code delay}, or sooner when a change waits to be told. A beat that
     * is running is not cancelled: it schedules its successor when it ends, and that successor honours a change
     * flagged meanwhile.
     */
    private synchronized void scheduleNext(Duration delay) {
        if (scheduler.isShutdown()) {
            return;
        }
        Duration wait = sandboxesChanged.get() && delay.compareTo(CHANGE_COALESCING) > 0 ? CHANGE_COALESCING : delay;
        if (nextBeat != null && !nextBeat.isDone()
                && nextBeat.getDelay(TimeUnit.MILLISECONDS) <= wait.toMillis()) {
            return;
        }
        if (nextBeat != null) {
            nextBeat.cancel(false);
        }
        try {
            nextBeat = scheduler.schedule(this::beatSafely, wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // stop() ran meanwhile
        }
    }

    /** A throw would end the chain of beats, so nothing escapes one beat; each schedules the next. */
    private void beatSafely() {
        synchronized (this) {
            // This beat is under way: a change flagged from now on needs a beat of its own.
            nextBeat = null;
        }
        try {
            beat();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (RuntimeException e) {
            LOG.warn("heartbeat failed", e);
        }
        scheduleNext(interval);
    }

    void beat() throws InterruptedException {
        boolean changed = sandboxesChanged.getAndSet(false);
        Map<String, Object> report = loadReport.toSend(load.get(), clock.instant());
        try {
            Duration asked = api.heartbeat(credentials, report, pausedSandboxes, changed);
            loadReport.sent(report, clock.instant());
            interval = bounded(asked);
            consecutiveNetworkFailures = 0;
            pausedSandboxes = false;
        } catch (ApiClient.ApiError error) {
            // kiln-api answered, so the host is not cut off, whatever the answer was.
            consecutiveNetworkFailures = 0;
            sandboxesChanged.compareAndSet(false, changed);
            handleRefusal(error);
        } catch (IOException e) {
            sandboxesChanged.compareAndSet(false, changed);
            consecutiveNetworkFailures++;
            LOG.warn("heartbeat could not reach kiln-api ({} in a row): {}", consecutiveNetworkFailures, e.toString());
            // The control plane is about to mark this host unreachable and its sandboxes missing, so freeze them
            // rather than let them change state nobody can observe. Every failed beat of the streak does it, not
            // only the one that crossed the threshold: two outages with no heartbeat through in between are one
            // streak, and a sandbox started in that gap (Temporal reached the host while kiln-api's heartbeat
            // route did not) must be frozen too.
            if (consecutiveNetworkFailures >= NETWORK_FAILURES_BEFORE_ISOLATED) {
                onIsolated.run();
                pausedSandboxes = true;
            }
        }
    }

    private Duration bounded(Duration asked) {
        if (asked.compareTo(SHORTEST_INTERVAL) < 0) {
            LOG.warn("kiln-api asked for the next heartbeat in {}; beating every {} instead", asked, SHORTEST_INTERVAL);
            return SHORTEST_INTERVAL;
        }
        return asked.compareTo(LONGEST_INTERVAL) > 0 ? LONGEST_INTERVAL : asked;
    }

    private void handleRefusal(ApiClient.ApiError error) throws InterruptedException {
        switch (error.status()) {
            case 401, 403 -> refresh();
            case 404 -> {
                LOG.error("kiln-api no longer knows host {}: wiping credentials and exiting", credentials.hostId());
                store.wipe();
                scheduler.shutdown();
                onDeleted.run();
            }
            default -> LOG.warn("heartbeat refused: {}", error.getMessage());
        }
    }

    private void refresh() throws InterruptedException {
        try {
            credentials = api.refresh(credentials);
            store.save(credentials);
            LOG.info("host token refreshed");
        } catch (IOException e) {
            // A refresh token that no longer works will not start working: stop rather than hammer the API.
            LOG.error("host token refresh failed, heartbeats stop and sandboxes are paused: {}", e.getMessage());
            scheduler.shutdown();
            onIsolated.run();
        }
    }
}
