package dev.kiln.api.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.db.PlacementDao.EarlierBuild;
import java.util.List;
import org.junit.jupiter.api.Test;

class CacheAffinityTest {
    private static final List<String> RECIPE = List.of("RUN apt-get install -y curl", "COPY app /app", "RUN make");

    @Test
    void theHostsOfTheBuildsSharingTheLongestRecipePrefixAreWarm() {
        List<EarlierBuild> earlier = List.of(
                new EarlierBuild("host-a", List.of("RUN apt-get install -y curl", "RUN other"), false),
                new EarlierBuild("host-b", List.of("RUN apt-get install -y curl", "COPY app /app", "RUN test"), false),
                new EarlierBuild("host-c", List.of("RUN apt-get install -y curl", "COPY app /app"), false));

        assertThat(CacheAffinity.warmHosts(RECIPE, false, earlier)).containsExactlyInAnyOrder("host-b", "host-c");
    }

    @Test
    void buildsPlannedWithOtherPreAndPostStepsOrSharingNoLineWarmNoHost() {
        List<EarlierBuild> earlier = List.of(
                new EarlierBuild("host-a", RECIPE, true),
                new EarlierBuild("host-b", List.of("RUN something else"), false));

        assertThat(CacheAffinity.warmHosts(RECIPE, false, earlier)).isEmpty();
    }
}
