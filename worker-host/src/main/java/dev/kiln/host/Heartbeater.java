package dev.kiln.host;

import static java.util.Objects.requireNonNull;

import io.dropwizard.lifecycle.Managed;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 *
 * <p>The lease says the host process is up and reaches kiln-api, so nothing the engine does may stop a beat: the load
 * is read on a thread of its own, and a beat whose load the engine does not give in {@link #LOAD_WAIT} (a daemon stuck
 * on one container, or restarting) renews the lease without it. Before, such a daemon silenced the host, kiln-api
 * declared it lost, and its running sandboxes and builds were written off while they ran on.
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
    /** How long a beat waits for the engine to give the load; well under the shortest interval a reply may set. */
    static final Duration LOAD_WAIT = Duration.ofMillis(800);

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
    private final ExecutorService loadReader = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "kiln-heartbeat-load");
        thread.setDaemon(true);
        return thread;
    });
    /** The load being read; a read the engine still holds up is waited on again rather than piled on. */
    private Future<Map<String, Object>> loadRead;
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
        loadReader.shutdownNow();
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

    /**
     * A throw would end the chain of beats (the scheduler drops a task that throws, silently), so each beat schedules
     * the next whatever it threw, an Error included: a host that stops beating but runs on is declared lost with its
     * sandboxes still running.
     */
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
        } catch (Error e) {
            LOG.error("heartbeat failed", e);
            throw e;
        } finally {
            if (!Thread.currentThread().isInterrupted()) {
                scheduleNext(interval);
            }
        }
    }

    void beat() throws InterruptedException {
        boolean changed = sandboxesChanged.getAndSet(false);
        Map<String, Object> report = loadReport.toSend(currentLoad(), clock.instant());
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

    /** The host's load, or an empty map (renew the lease only) when the engine does not give it in time. */
    private Map<String, Object> currentLoad() throws InterruptedException {
        Future<Map<String, Object>> read;
        synchronized (this) {
            if (loadRead == null || loadRead.isDone()) {
                try {
                    loadRead = loadReader.submit(load::get);
                } catch (RejectedExecutionException stopping) {
                    return Map.of();
                }
            }
            read = loadRead;
        }
        try {
            return read.get(LOAD_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("the engine did not give the host's load within {}: this beat only renews the lease", LOAD_WAIT);
        } catch (ExecutionException e) {
            LOG.warn("could not read the host's load: this beat only renews the lease", e.getCause());
        }
        return Map.of();
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
        } catch (ApiClient.ApiError e) {
            // A refresh token kiln-api refused will not start working: stop rather than hammer the API.
            LOG.error("host token refresh refused, heartbeats stop and sandboxes are paused: {}", e.getMessage());
            scheduler.shutdown();
            onIsolated.run();
        } catch (IOException e) {
            // The refresh never arrived, so the refresh token still holds: the next beat is refused again and retries.
            LOG.warn("host token refresh could not reach kiln-api, retrying at the next beat: {}", e.toString());
        }
    }
}
