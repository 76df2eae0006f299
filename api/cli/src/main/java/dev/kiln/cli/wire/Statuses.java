package dev.kiln.cli.wire;

import dev.kiln.model.BuildStatus;
import dev.kiln.model.GoldenBuildStatus;
import dev.kiln.model.GoldenStatus;
import dev.kiln.model.SessionStatus;
import dev.kiln.model.WireValue;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Optional;

/**
 * How the CLI reads the statuses the API sends. The views keep them as strings, so that a value a newer server adds
 * is shown rather than refused; these lookups turn them into kiln-model's status enums (the ones the server
 * writes), and a value they do not know is empty.
 */
public final class Statuses {
    private Statuses() {}

    public static Optional<BuildStatus> build(String wire) {
        return known(BuildStatus.class, wire);
    }

    /** A build in a terminal status never changes again: its event stream ends with it. */
    public static boolean buildTerminal(String wire) {
        return build(wire).map(BuildStatus::terminal).orElse(false);
    }

    /** A golden build still writing: its write rate is live. */
    public static boolean goldenBuilding(String hostStatus, String buildStatus) {
        return known(GoldenStatus.class, hostStatus).orElse(null) == GoldenStatus.BUILDING
                || known(GoldenBuildStatus.class, buildStatus).orElse(null) == GoldenBuildStatus.BUILDING;
    }

    public static Optional<SessionStatus> session(String wire) {
        return known(SessionStatus.class, wire);
    }

    private static <E extends Enum<E> & WireValue> Optional<E> known(Class<E> type, String wire) {
        return Arrays.stream(type.getEnumConstants()).filter(status -> status.wire().equals(wire)).findFirst();
    }

    /** The build statuses, in the order a build goes through them, for picocli to list as an option's values. */
    public static final class BuildStatusCandidates implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(BuildStatus.values()).map(BuildStatus::wire).iterator();
        }
    }
}
