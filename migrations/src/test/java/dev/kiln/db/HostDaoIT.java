package dev.kiln.db;

import static dev.kiln.db.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.model.HostStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HostDaoIT {
    @RegisterExtension
    static TestDatabase db = new TestDatabase();

    private final HostDao hosts = db.jdbi().onDemand(HostDao.class);
    private final TeamDao teams = db.jdbi().onDemand(TeamDao.class);
    private final HostLeaseDao leases = db.jdbi().onDemand(HostLeaseDao.class);

    @Test
    void insertedHostIsFoundWithItsLabelsAndLoad() {
        HostRow host = new HostRow(Ids.newId("host"), "byoc", Fixtures.insertTeam(teams).id(), HostStatus.PENDING,
                null, null,
                null, null, null, Map.of("zone", "eu-1", "gpu", "none"), Map.of("sandboxes", 3), null, "key-1", T0,
                T0, false);

        hosts.insert(host);

        assertThat(hosts.findById(host.id())).contains(host);
    }

    @Test
    void missingTimesAndJsonAreFilledIn() {
        HostRow host = new HostRow(Ids.newId("host"), "regular", null, HostStatus.PENDING, null, null, null, null,
                null, null,
                null, null, null, null, null, false);

        hosts.insert(host);

        HostRow found = hosts.findById(host.id()).orElseThrow();
        assertThat(found.labels()).isEmpty();
        assertThat(found.load()).isEmpty();
        assertThat(found.createdAt()).isNotNull();
        assertThat(found.updatedAt()).isNotNull();
        assertThat(hosts.findById(Ids.newId("host"))).isEmpty();
    }

    @Test
    void listIsNewestFirst() {
        HostRow older = withCreatedAt(Fixtures.host("regular", null, HostStatus.PENDING), T0.plusSeconds(1_000));
        HostRow newer = withCreatedAt(Fixtures.host("regular", null, HostStatus.PENDING), T0.plusSeconds(2_000));
        hosts.insert(older);
        hosts.insert(newer);

        List<String> ids = hosts.list().stream().map(HostRow::id).toList();

        assertThat(ids).containsSubsequence(newer.id(), older.id());
    }

    @Test
    void registrationFillsInTheHardwareOnceOnlyAndLeavesTheHostPendingUntilItHeartbeats() {
        HostRow host = Fixtures.host("regular", null, HostStatus.PENDING);
        hosts.insert(host);

        assertThat(hosts.markRegistered(host.id(), "x86_64", 8, 16_384, 200, "10.0.0.5:7000", T0)).isEqualTo(1);
        assertThat(hosts.markRegistered(host.id(), "arm64", 2, 1_024, 10, "10.0.0.6:7000", T0.plusSeconds(5)))
                .isZero();

        HostRow registered = hosts.findById(host.id()).orElseThrow();
        assertThat(registered.status()).as("online only once its running kiln-host heartbeats").isEqualTo(HostStatus.PENDING);
        assertThat(hosts.awaitsRegistration(host.id())).contains(false);
        assertThat(registered.arch()).isEqualTo("x86_64");
        assertThat(registered.cpuCores()).isEqualTo(8);
        assertThat(registered.memoryMb()).isEqualTo(16_384L);
        assertThat(registered.diskGb()).isEqualTo(200L);
        assertThat(registered.address()).isEqualTo("10.0.0.5:7000");
        assertThat(registered.lastHeartbeatAt()).as("no heartbeat yet").isNull();
        assertThat(registered.updatedAt()).isEqualTo(T0);
    }

    @Test
    void recordedLoadLeavesTheStatusToTheHostWorkflow() {
        HostRow host = Fixtures.host("regular", null, HostStatus.UNREACHABLE);
        hosts.insert(host);
        Map<String, Object> load = Map.of("sandboxes", 2, "cpuPercent", 37.5, "disk", Map.of("freeGb", 120));

        assertThat(hosts.recordLoad(host.id(), load, T0)).isEqualTo(1);

        HostRow beating = hosts.findById(host.id()).orElseThrow();
        assertThat(beating.status().wire()).isEqualTo("unreachable");
        assertThat(beating.load()).isEqualTo(load);
        assertThat(beating.lastHeartbeatAt()).isEqualTo(T0);
        assertThat(beating.updatedAt()).isEqualTo(T0);
    }

    @Test
    void drainingSurvivesAnOutageAndKeepsTheHostOutOfPlacement() {
        HostRow host = online(Fixtures.host("regular", null, HostStatus.PENDING), T0);

        assertThat(hosts.setDraining(host.id(), true, T0)).isEqualTo(1);
        assertThat(hosts.listPlaceable("regular", null, T0)).extracting(HostRow::id).doesNotContain(host.id());
        assertThat(hosts.markUnreachable(host.id(), T0)).isEqualTo(1);
        assertThat(hosts.markUnreachable(host.id(), T0)).as("only once per outage").isZero();
        assertThat(hosts.markOnline(host.id(), T0)).isEqualTo(1);

        HostRow back = hosts.findById(host.id()).orElseThrow();
        assertThat(back.status().wire()).isEqualTo("online");
        assertThat(back.draining()).isTrue();
        hosts.setDraining(host.id(), false, T0);
        assertThat(hosts.listPlaceable("regular", null, T0)).extracting(HostRow::id).contains(host.id());
        assertThat(hosts.recordLoad(Ids.newId("host"), Map.of(), T0)).isZero();
    }

    @Test
    void placeableHostsAreOnlineWithALiveLeaseAndOfTheRightTypeAndTeam() {
        Instant now = T0.plus(Duration.ofDays(30));
        Instant cutoff = now.minusSeconds(30);
        String teamId = Fixtures.insertTeam(teams).id();
        String otherTeamId = Fixtures.insertTeam(teams).id();
        HostRow regular = online(Fixtures.host("regular", null, HostStatus.PENDING), now);
        HostRow stale = online(Fixtures.host("regular", null, HostStatus.PENDING), cutoff.minusSeconds(1));
        HostRow draining = online(Fixtures.host("regular", null, HostStatus.PENDING), now);
        hosts.setDraining(draining.id(), true, now);
        HostRow pending = Fixtures.host("regular", null, HostStatus.PENDING);
        hosts.insert(pending);
        HostRow teamHost = online(Fixtures.host("byoc", teamId, HostStatus.PENDING), now);
        HostRow otherTeamHost = online(Fixtures.host("byoc", otherTeamId, HostStatus.PENDING), now);

        List<String> shared = ids(hosts.listPlaceable("regular", null, now));
        List<String> byoc = ids(hosts.listPlaceable("byoc", teamId, now));

        assertThat(shared).contains(regular.id())
                .doesNotContain(stale.id(), draining.id(), pending.id(), teamHost.id(), otherTeamHost.id());
        assertThat(byoc).containsExactly(teamHost.id());
        assertThat(hosts.listPlaceable("regular", teamId, now)).isEmpty();
    }

    @Test
    void setStatusChangesStatusAndUpdateTime() {
        HostRow host = Fixtures.host("regular", null, HostStatus.ONLINE);
        hosts.insert(host);

        assertThat(hosts.setStatus(host.id(), HostStatus.UNREACHABLE, T0)).isEqualTo(1);

        HostRow found = hosts.findById(host.id()).orElseThrow();
        assertThat(found.status().wire()).isEqualTo("unreachable");
        assertThat(found.updatedAt()).isEqualTo(T0);
        assertThat(hosts.setStatus(Ids.newId("host"), HostStatus.ONLINE, T0)).isZero();
    }

    /** Registered, renewed at {@code heartbeat} for 30 s, and marked online by its host workflow. */
    private HostRow online(HostRow host, Instant heartbeat) {
        hosts.insert(host);
        hosts.markRegistered(host.id(), "x86_64", 4, 8_192, 100, "127.0.0.1:7000", heartbeat);
        leases.renew(host.id(), heartbeat, heartbeat.plusSeconds(30), heartbeat.minus(Duration.ofMinutes(15)));
        hosts.markOnline(host.id(), heartbeat);
        return host;
    }

    private static HostRow withCreatedAt(HostRow host, Instant createdAt) {
        return new HostRow(host.id(), host.type(), host.teamId(), host.status(), host.arch(), host.cpuCores(),
                host.memoryMb(), host.diskGb(), host.address(), host.labels(), host.load(), host.lastHeartbeatAt(),
                host.createdBy(), createdAt, createdAt, host.draining());
    }

    private static List<String> ids(List<HostRow> rows) {
        return rows.stream().map(HostRow::id).toList();
    }
}
