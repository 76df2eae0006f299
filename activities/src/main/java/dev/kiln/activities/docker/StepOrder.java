package dev.kiln.activities.docker;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The order of build steps on this host. The build workflow schedules the next steps before the one running has
 * ended, each naming the step it follows, so that a step starts the moment its predecessor ends here rather than a
 * round trip through Temporal later (#16). A step waits here for its predecessor: it runs once that succeeded, and
 * not at all once that failed or ended without an outcome. Kept per sandbox container, in memory: a kiln-host that
 * restarts knows nothing of the steps before it, and a step whose predecessor it never sees is told so.
 */
final class StepOrder {

    /** What a waiting step is to do. */
    enum Turn {
        /** Its predecessor succeeded: run. */
        RUN,
        /** Its predecessor failed or ended without an outcome here: the build stops or reruns, so do not run. */
        PREDECESSOR_FAILED,
        /**
         * Its predecessor has neither waited, run nor ended here for a while: it ended in an earlier kiln-host, or
         * never came.
         */
        PREDECESSOR_ABSENT
    }

    /** A waiting step heartbeats at least this often, which is also how soon it hears of a cancel. */
    private static final long WAIT_SLICE_MILLIS = 500;
    /** Builds hold their sandbox's entry until it is destroyed; this only bounds what crashed builds leave. */
    private static final int MAX_SANDBOXES = 1024;

    /** By container id; the oldest entry is dropped beyond {@link #MAX_SANDBOXES}. */
    private final Map<String, Sandbox> sandboxes = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Sandbox> eldest) {
            return size() > MAX_SANDBOXES;
        }
    };

    private static final class Sandbox {
        final String buildId;
        /** Steps waiting for their turn here; a step two ahead of the running one waits on one of them. */
        final Set<Integer> waiting = new HashSet<>();
        final Set<Integer> running = new HashSet<>();
        final Map<Integer, Boolean> succeeded = new HashMap<>();

        Sandbox(String buildId) {
            this.buildId = buildId;
        }
    }

    synchronized void started(String buildId, String containerId, int step) {
        sandbox(buildId, containerId).running.add(step);
    }

    synchronized void ended(String buildId, String containerId, int step, boolean succeeded) {
        Sandbox sandbox = sandbox(buildId, containerId);
        sandbox.running.remove(step);
        sandbox.succeeded.put(step, succeeded);
        notifyAll();
    }

    /** The build's sandbox is gone: nothing will wait on its steps again. */
    synchronized void forget(String buildId) {
        sandboxes.values().removeIf(sandbox -> sandbox.buildId.equals(buildId));
    }

    /**
     * Step {@code step} of the container waits until step {@code predecessor} has ended here, calling
     * {@code whileWaiting} (the activity's heartbeat, which throws once the step is cancelled) every
     * {@link #WAIT_SLICE_MILLIS}. On {@link Turn#RUN} the step is running here from that moment, as after
     * {@link #started}, so that a step waiting on it never finds it gone in between.
     *
     * @param absentPatience how long the predecessor may be neither waiting, running nor ended here before the wait
     *     gives up
     */
    Turn await(String buildId, String containerId, int step, int predecessor, Duration absentPatience,
            Runnable whileWaiting) throws InterruptedException {
        synchronized (this) {
            sandbox(buildId, containerId).waiting.add(step);
        }
        try {
            return awaitPredecessor(buildId, containerId, step, predecessor, absentPatience, whileWaiting);
        } finally {
            synchronized (this) {
                sandbox(buildId, containerId).waiting.remove(step);
            }
        }
    }

    private Turn awaitPredecessor(String buildId, String containerId, int step, int predecessor,
            Duration absentPatience, Runnable whileWaiting) throws InterruptedException {
        long absentSince = System.nanoTime();
        while (true) {
            synchronized (this) {
                Sandbox sandbox = sandbox(buildId, containerId);
                Boolean succeeded = sandbox.succeeded.get(predecessor);
                if (succeeded != null && succeeded) {
                    sandbox.running.add(step);
                    return Turn.RUN;
                }
                if (succeeded != null) {
                    return Turn.PREDECESSOR_FAILED;
                }
                if (sandbox.running.contains(predecessor) || sandbox.waiting.contains(predecessor)) {
                    absentSince = System.nanoTime();
                } else if (System.nanoTime() - absentSince > absentPatience.toNanos()) {
                    return Turn.PREDECESSOR_ABSENT;
                }
                wait(WAIT_SLICE_MILLIS);
                if (sandbox.succeeded.containsKey(predecessor)) {
                    continue;
                }
            }
            whileWaiting.run();
        }
    }

    private Sandbox sandbox(String buildId, String containerId) {
        return sandboxes.computeIfAbsent(containerId, id -> new Sandbox(buildId));
    }
}
