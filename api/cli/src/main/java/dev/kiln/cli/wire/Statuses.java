package dev.kiln.cli.wire;

import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Every status value the CLI compares, in one place, as the API spells them (the enums of openapi.yaml, which
 * {@code WireContractTest} checks these against). Kept as strings so that the views stay readable whatever a newer
 * server sends; the place to switch to kiln-model's shared status types once they exist.
 */
public final class Statuses {
    public static final String BUILD_PENDING = "pending";
    public static final String BUILD_RUNNING = "running";
    public static final String BUILD_SUCCESS = "success";
    public static final String BUILD_FAILED = "failed";
    public static final String BUILD_CANCELLED = "cancelled";
    /** A build in one of these never changes again: its event stream ends with it. */
    public static final Set<String> BUILD_TERMINAL = Set.of(BUILD_SUCCESS, BUILD_FAILED, BUILD_CANCELLED);
    /** What {@code kiln build list --status} offers, in the order a build goes through them. */
    public static final List<String> BUILD_ALL =
            List.of(BUILD_PENDING, BUILD_RUNNING, BUILD_SUCCESS, BUILD_FAILED, BUILD_CANCELLED);

    /** A golden build still writing: its write rate is live. */
    public static final String GOLDEN_BUILDING = "building";

    public static final String SESSION_RUNNING = "running";
    /** A session in one of these will not start running. */
    public static final Set<String> SESSION_ENDED = Set.of("stopped", "failed");

    private Statuses() {}

    /** The build statuses, for picocli to list as the values of an option. */
    public static final class BuildStatusCandidates implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return BUILD_ALL.iterator();
        }
    }
}
