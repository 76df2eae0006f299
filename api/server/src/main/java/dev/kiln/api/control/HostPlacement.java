package dev.kiln.api.control;

import static java.util.Objects.requireNonNull;

import dev.kiln.db.HostDao;
import dev.kiln.db.HostRow;
import dev.kiln.db.HostUsageRow;
import dev.kiln.db.PlacementDao;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/** Chooses the regular host that builds and sandboxes go to, from what PostgreSQL says is committed where. */
public final class HostPlacement {
    private final Jdbi jdbi;
    private final Clock clock;
    private final HostScheduler scheduler;

    /** A chosen host, or none, and among how many candidates (for the error message). */
    public record Choice(Optional<HostRow> host, int candidates) {}

    /** Only hosts online with a live lease are offered work: a host the sweeper has not expired yet still is. */
    public HostPlacement(Jdbi jdbi, Clock clock, HostScheduler scheduler) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
    }

    public Choice choose(int vcpus, int memoryMb) {
        return choose(vcpus, memoryMb, Map.of());
    }

    /**
     * @param lostSince hosts the work was lost on, each with when: such a host is a candidate again once it renewed
     *     its lease after that (kiln-host restarted, or its network came back), never before
     */
    public Choice choose(int vcpus, int memoryMb, Map<String, Instant> lostSince) {
        return choose(vcpus, memoryMb, lostSince, Set.of());
    }

    /** @param warm hosts that likely hold the build's step cache, which get the scheduler's bounded bonus */
    public Choice choose(int vcpus, int memoryMb, Map<String, Instant> lostSince, Set<String> warm) {
        List<HostRow> candidates = placeable().stream()
                .filter(host -> !lostSince.containsKey(host.id())
                        || host.lastHeartbeatAt() != null && host.lastHeartbeatAt().isAfter(lostSince.get(host.id())))
                .toList();
        Map<String, HostScheduler.Usage> usage = jdbi.onDemand(PlacementDao.class).usage().stream()
                .collect(Collectors.toMap(HostUsageRow::hostId,
                        row -> new HostScheduler.Usage(row.vcpus(), row.memoryMb(), 0)));
        return new Choice(scheduler.choose(candidates, usage, new HostScheduler.Request(vcpus, memoryMb, 0), warm),
                candidates.size());
    }

    /**
     * The hosts that could take a build of that size: those placement considers now, big enough for it once what
     * runs there ends. A queued build waits for one of them to free up; none means it waits for a host to come.
     */
    public List<String> eligible(int vcpus, int memoryMb) {
        HostScheduler.Request request = new HostScheduler.Request(vcpus, memoryMb, 0);
        return placeable().stream().filter(host -> scheduler.fits(host, request)).map(HostRow::id).toList();
    }

    private List<HostRow> placeable() {
        return jdbi.onDemand(HostDao.class).listPlaceable("regular", null, clock.instant());
    }
}
