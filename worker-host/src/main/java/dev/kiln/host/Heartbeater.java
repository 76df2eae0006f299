package dev.kiln.host;

import static java.util.Objects.requireNonNull;

import io.dropwizard.lifecycle.Managed;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells kiln-api the host is alive, at start and then every interval. A rejected token is refreshed once;
 * a 404 means the host was deleted, so the credentials are wiped and the process told to exit.
 */
public final class Heartbeater implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(Heartbeater.class);
    /** After this many network failures in a row the host counts itself cut off (the API will say unreachable). */
    static final int NETWORK_FAILURES_BEFORE_ISOLATED = 3;

    private final ApiClient api;
    private final CredentialsStore store;
    private final Supplier<Map<String, Object>> load;
    private final Duration interval;
    private final Runnable onDeleted;
    private final Runnable onIsolated;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "kiln-heartbeat");
        thread.setDaemon(true);
        return thread;
    });
    private volatile HostCredentials credentials;
    private int consecutiveNetworkFailures;
    /**
     * Set when the host paused its sandboxes, cleared once a heartbeat has told kiln-api, which may not have noticed
     * an outage that short and still list them as running.
     */
    private boolean pausedSandboxes;

    public Heartbeater(ApiClient api, CredentialsStore store, HostCredentials credentials,
            Supplier<Map<String, Object>> load, Duration interval, Runnable onDeleted, Runnable onIsolated) {
        this.api = requireNonNull(api, "api is null");
        this.store = requireNonNull(store, "store is null");
        this.credentials = requireNonNull(credentials, "credentials is null");
        this.load = requireNonNull(load, "load is null");
        this.interval = requireNonNull(interval, "interval is null");
        this.onDeleted = requireNonNull(onDeleted, "onDeleted is null");
        this.onIsolated = requireNonNull(onIsolated, "onIsolated is null");
    }

    /** The credentials as of the last refresh, for other calls to kiln-api (archive downloads). */
    public HostCredentials currentCredentials() {
        return credentials;
    }

    @Override
    public void start() {
        scheduler.scheduleWithFixedDelay(this::beatSafely, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        scheduler.shutdownNow();
    }

    /** A throw would cancel every later run of a scheduled task, so nothing escapes one beat. */
    private void beatSafely() {
        try {
            beat();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("heartbeat failed", e);
        }
    }

    void beat() throws InterruptedException {
        try {
            api.heartbeat(credentials, load.get(), pausedSandboxes);
            consecutiveNetworkFailures = 0;
            pausedSandboxes = false;
        } catch (ApiClient.ApiError error) {
            // kiln-api answered, so the host is not cut off, whatever the answer was.
            consecutiveNetworkFailures = 0;
            handleRefusal(error);
        } catch (IOException e) {
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
