package dev.kiln.api.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.representation.FleetStatsView;
import dev.kiln.db.FleetStatsRow;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FleetStatsTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void bucketsWithoutTicksOfTheTeamReadZeroFromTheFirstToTheLastBucket() {
        List<FleetStatsView.Point> points = FleetStats.fill(
                List.of(new FleetStatsRow(T0.plusSeconds(60), "team-1", 2, 1, 3, 1536)), T0, T0.plusSeconds(120), 60);

        assertThat(points).containsExactly(
                new FleetStatsView.Point(T0, 0, 0, 0, 0),
                new FleetStatsView.Point(T0.plusSeconds(60), 2, 1, 3, 1536),
                new FleetStatsView.Point(T0.plusSeconds(120), 0, 0, 0, 0));
    }

    @Test
    void aWindowThatStartsAfterItEndsHasNoPoints() {
        assertThat(FleetStats.fill(List.of(), T0.plusSeconds(10), T0, 10)).isEmpty();
    }
}
