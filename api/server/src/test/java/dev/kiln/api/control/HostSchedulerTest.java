package dev.kiln.api.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.db.HostRow;
import dev.kiln.model.HostStatus;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HostSchedulerTest {
    private final HostScheduler scheduler = new HostScheduler(new HostScheduler.Policy(1024, 0.5, 5 * 1024, 4.0));

    @Test
    void theHostWhoseScarcestResourceHasMostRoomWins() {
        HostRow small = host("host-a", 2, 4096, 100);
        HostRow large = host("host-b", 8, 32768, 100);

        assertThat(scheduler.choose(List.of(small, large), Map.of(), request(1, 512))).contains(large);
    }

    @Test
    void committedWorkMovesNewWorkElsewhere() {
        HostRow first = host("host-a", 4, 8192, 100);
        HostRow second = host("host-b", 4, 8192, 100);
        Map<String, HostScheduler.Usage> usage = Map.of("host-a", new HostScheduler.Usage(2, 4096, 0));

        assertThat(scheduler.choose(List.of(first, second), usage, request(1, 512))).contains(second);
    }

    @Test
    void aHostWithoutRoomIsRefusedEvenIfItIsTheOnlyOne() {
        HostRow full = host("host-a", 2, 4096, 100);
        Map<String, HostScheduler.Usage> usage = Map.of("host-a", new HostScheduler.Usage(1, 2800, 0));

        assertThat(scheduler.choose(List.of(full), usage, request(1, 512))).isEmpty();
        assertThat(scheduler.choose(List.of(full), Map.of(), request(1, 3000))).isPresent();
        assertThat(scheduler.choose(List.of(full), Map.of(), request(1, 3100))).as("above RAM minus headroom").isEmpty();
    }

    @Test
    void aTieGoesToTheFirstHost() {
        HostRow first = host("host-a", 4, 8192, 100);
        HostRow second = host("host-b", 4, 8192, 100);

        assertThat(scheduler.choose(List.of(second, first), Map.of(), request(1, 512))).contains(first);
    }

    @Test
    void cpuIsOvercommittedButBounded() {
        HostRow twoCores = host("host-a", 2, 65536, 100);

        assertThat(scheduler.choose(List.of(twoCores), Map.of(), request(7, 512))).isPresent();
        assertThat(scheduler.choose(List.of(twoCores), Map.of(), request(8, 512))).isEmpty();
    }

    @Test
    void aHostHoldingTheBuildsCacheWinsOverAnEquallyLoadedOne() {
        HostRow first = host("host-a", 4, 8192, 100);
        HostRow warm = host("host-b", 4, 8192, 100);

        assertThat(scheduler.choose(List.of(first, warm), Map.of(), request(1, 512), Set.of("host-b"))).contains(warm);
    }

    @Test
    void theCacheBonusIsBoundedSoAMuchLessLoadedHostStillWins() {
        HostRow idle = host("host-a", 4, 8192, 100);
        HostRow busyWarm = host("host-b", 4, 8192, 100);
        Map<String, HostScheduler.Usage> usage = Map.of("host-b", new HostScheduler.Usage(6, 5000, 0));

        assertThat(scheduler.choose(List.of(idle, busyWarm), usage, request(1, 512), Set.of("host-b"))).contains(idle);
    }

    @Test
    void theCacheBonusNeverMakesRoomOnAFullHost() {
        HostRow full = host("host-a", 2, 4096, 100);

        assertThat(scheduler.choose(List.of(full), Map.of(), request(1, 3100), Set.of("host-a"))).isEmpty();
    }

    private static HostScheduler.Request request(int vcpus, long memoryMb) {
        return new HostScheduler.Request(vcpus, memoryMb, 0);
    }

    private static HostRow host(String id, int cores, long memoryMb, long diskGb) {
        return new HostRow(id, "regular", null, HostStatus.ONLINE, "amd64", cores, memoryMb, diskGb, null, Map.of(),
                Map.of(),
                null, "test", null, null, false);
    }
}
