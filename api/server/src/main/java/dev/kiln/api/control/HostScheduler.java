package dev.kiln.api.control;

import static java.util.Objects.requireNonNull;

import dev.kiln.db.HostRow;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Least-loaded placement with admission: every candidate's remaining RAM, CPU and disk are computed after a
 * reserved headroom and what is already committed there; a host without room for the request is refused; among
 * the rest the one whose scarcest resource has the largest remaining fraction wins (first host on a tie).
 */
public final class HostScheduler {

    /** Resources committed on one host by its active sandboxes and running builds. */
    public record Usage(double vcpus, long memoryMb, long diskMb) {
        public static final Usage NONE = new Usage(0, 0, 0);
    }

    public record Request(int vcpus, long memoryMb, long diskMb) {}

    /**
     * @param reservedMemoryMb memory kept for the OS, Docker and kiln-host itself
     * @param cpuOvercommit vCPUs that may be promised per core (sandboxes rarely use all they are given)
     */
    public record Policy(long reservedMemoryMb, double reservedCpus, long reservedDiskMb, double cpuOvercommit) {
        /** Small enough for a 2-core test machine, still leaving the host room to breathe. */
        public static final Policy DEFAULT = new Policy(1024, 0.5, 5 * 1024, 4.0);
    }

    /** A fifth of a host's capacity: what skipping cached steps is worth against spreading the load. */
    static final double CACHE_BONUS = 0.2;

    private final Policy policy;

    public HostScheduler(Policy policy) {
        this.policy = requireNonNull(policy, "policy is null");
    }

    public Optional<HostRow> choose(List<HostRow> candidates, Map<String, Usage> usage, Request request) {
        return choose(candidates, usage, request, Set.of());
    }

    /**
     * As {@link #choose(List, Map, Request)}, with {@link #CACHE_BONUS} added to the score of each host in
     * {@code warm} that has room: a host holding the build's step cache wins unless another has that much more of
     * its scarcest resource left, so the cache never piles builds onto one busy host.
     */
    public Optional<HostRow> choose(List<HostRow> candidates, Map<String, Usage> usage, Request request, Set<String> warm) {
        return candidates.stream()
                .filter(host -> score(host, usage.getOrDefault(host.id(), Usage.NONE), request) >= 0)
                .max(Comparator.comparingDouble((HostRow host) ->
                                score(host, usage.getOrDefault(host.id(), Usage.NONE), request)
                                        + (warm.contains(host.id()) ? CACHE_BONUS : 0))
                        .thenComparing(HostRow::id, Comparator.reverseOrder()));
    }

    /** Whether the host could take the request once nothing else is committed there. */
    public boolean fits(HostRow host, Request request) {
        return score(host, Usage.NONE, request) >= 0;
    }

    /**
     * The smallest remaining fraction of RAM, CPU and disk once the request is placed, or -1 when the host cannot
     * take it. Hosts that did not report a resource (null) are not limited by it.
     */
    double score(HostRow host, Usage used, Request request) {
        double memory = remaining(host.memoryMb() == null ? null : (double) host.memoryMb() - policy.reservedMemoryMb(),
                used.memoryMb() + request.memoryMb());
        double cpu = remaining(host.cpuCores() == null ? null : host.cpuCores() * policy.cpuOvercommit() - policy.reservedCpus(),
                used.vcpus() + request.vcpus());
        double disk = remaining(host.diskGb() == null ? null : host.diskGb() * 1024.0 - policy.reservedDiskMb(),
                used.diskMb() + request.diskMb());
        if (memory < 0 || cpu < 0 || disk < 0) {
            return -1;
        }
        return Math.min(memory, Math.min(cpu, disk));
    }

    private static double remaining(Double capacity, double committed) {
        if (capacity == null) {
            return 1;
        }
        if (capacity <= 0) {
            return -1;
        }
        return (capacity - committed) / capacity;
    }
}
