package dev.kiln.db;

import static dev.kiln.db.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.model.HostStatus;
import dev.kiln.model.LeaseState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HostLeaseDaoIT {
    @RegisterExtension
    static TestDatabase db = new TestDatabase();

    private static final Duration LEASE = Duration.ofSeconds(90);
    private static final Duration RECONCILE_EVERY = Duration.ofMinutes(15);
    private static final Duration SWEEP_STALE_AFTER = Duration.ofSeconds(15);

    private final HostDao hosts = db.jdbi().onDemand(HostDao.class);
    private final HostLeaseDao leases = db.jdbi().onDemand(HostLeaseDao.class);

    @Test
    void theFirstRenewalIsAComingUpAndLaterOnesInTimeAreNot() {
        String host = registered();

        HostLeaseDao.Renewal first = renew(host, T0);
        HostLeaseDao.Renewal second = renew(host, T0.plusSeconds(30));

        assertThat(first.cameBack()).isTrue();
        assertThat(first.generation()).isEqualTo(1);
        assertThat(first.hostStatus()).isEqualTo(HostStatus.PENDING);
        assertThat(second.cameBack()).isFalse();
        assertThat(second.generation()).isEqualTo(1);
        assertThat(hosts.findById(host).orElseThrow().lastHeartbeatAt()).isEqualTo(T0.plusSeconds(30));
    }

    @Test
    void anExpiredLeaseIsRenewedAsAComebackWithANewerGenerationThanItsExpiry() {
        String host = registered();
        renew(host, T0);

        List<HostLeaseDao.Expired> expired = leases.sweep(T0.plus(LEASE).plusSeconds(1), Duration.ofDays(1), LEASE);
        HostLeaseDao.Renewal back = renew(host, T0.plus(LEASE).plusSeconds(2));

        assertThat(expired).extracting(HostLeaseDao.Expired::hostId).containsExactly(host);
        assertThat(expired.get(0).generation()).isEqualTo(2);
        assertThat(back.cameBack()).isTrue();
        assertThat(back.generation()).as("newer than the expiry it overtakes").isEqualTo(3);
        assertThat(leases.state(host)).contains(LeaseState.LIVE);
    }

    @Test
    void aStaleSweepExpiresNothingAndGrantsAGraceSoAControlPlaneOutageLosesNoHost() {
        String host = registered();
        renew(host, T0);
        Instant afterOutage = T0.plus(Duration.ofMinutes(2));

        assertThat(leases.sweep(afterOutage, SWEEP_STALE_AFTER, LEASE)).as("the sweeper did not run for 2 min").isEmpty();
        assertThat(leases.sweep(afterOutage.plusSeconds(5), SWEEP_STALE_AFTER, LEASE)).as("in the grace").isEmpty();
        renew(host, afterOutage.plusSeconds(10));
        assertThat(leases.sweep(afterOutage.plus(LEASE).plusSeconds(1), Duration.ofDays(1), LEASE))
                .as("renewed in the grace: still live").isEmpty();
        assertThat(leases.state(host)).contains(LeaseState.LIVE);
    }

    @Test
    void theGraceAfterKilnApiStartsHoldsExpiriesBack() {
        String host = registered();
        renew(host, T0);
        leases.extendGrace(T0.plus(LEASE).plusSeconds(30));

        assertThat(leases.sweep(T0.plus(LEASE).plusSeconds(1), Duration.ofDays(1), LEASE)).isEmpty();
        assertThat(leases.sweep(T0.plus(LEASE).plusSeconds(31), Duration.ofDays(1), LEASE))
                .extracting(HostLeaseDao.Expired::hostId).containsExactly(host);
    }

    @Test
    void anExpiryNotYetAppliedToAnOnlineHostIsReturnedAgainOnTheNextSweep() {
        String host = registered();
        renew(host, T0);
        hosts.markOnline(host, T0);

        List<HostLeaseDao.Expired> first = leases.sweep(T0.plus(LEASE).plusSeconds(1), Duration.ofDays(1), LEASE);
        List<HostLeaseDao.Expired> again = leases.sweep(T0.plus(LEASE).plusSeconds(2), Duration.ofDays(1), LEASE);
        hosts.markUnreachable(host, T0.plus(LEASE).plusSeconds(3));
        List<HostLeaseDao.Expired> applied = leases.sweep(T0.plus(LEASE).plusSeconds(4), Duration.ofDays(1), LEASE);

        assertThat(first).extracting(HostLeaseDao.Expired::generation).containsExactly(2L);
        assertThat(again).as("its signal may have been lost").extracting(HostLeaseDao.Expired::generation)
                .containsExactly(2L);
        assertThat(applied).isEmpty();
    }

    @Test
    void theDueReconcileIsClaimedByOneRenewal() {
        String host = registered();
        renew(host, T0);

        HostLeaseDao.Renewal due = renew(host, T0.plus(RECONCILE_EVERY).plusSeconds(1));
        HostLeaseDao.Renewal next = renew(host, T0.plus(RECONCILE_EVERY).plusSeconds(2));

        assertThat(due.reconcileDue()).isTrue();
        assertThat(next.reconcileDue()).isFalse();
    }

    @Test
    void concurrentRenewalsOfOneHostAllSucceedAndOnlyOneComesUp() throws Exception {
        String host = registered();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<HostLeaseDao.Renewal>> renewals = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                Instant at = T0.plusMillis(i);
                renewals.add(pool.submit(() -> renew(host, at)));
            }
            int cameUp = 0;
            for (Future<HostLeaseDao.Renewal> renewal : renewals) {
                cameUp += renewal.get().cameBack() ? 1 : 0;
            }
            assertThat(cameUp).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aDeletedHostHasNoLeaseToRenew() {
        String host = registered();
        renew(host, T0);
        hosts.deleteById(host);

        assertThat(leases.renew(host, T0.plusSeconds(1), T0.plus(LEASE), T0)).isEmpty();
        assertThat(leases.state(host)).isEmpty();
    }

    /** Each test sweeps on its own clock, starting at T0, and the class's hosts share one database. */
    @BeforeEach
    void sweptJustNowWithoutGrace() {
        db.jdbi().useHandle(handle -> handle.createUpdate("UPDATE lease_sweeps SET swept_at = :at, grace_until = :at")
                .bind("at", T0).execute());
        db.jdbi().useHandle(handle -> handle.execute("DELETE FROM hosts"));
    }

    private String registered() {
        HostRow host = Fixtures.host("regular", null, HostStatus.PENDING);
        hosts.insert(host);
        hosts.markRegistered(host.id(), "x86_64", 4, 8_192, 100, null, T0);
        return host.id();
    }

    private HostLeaseDao.Renewal renew(String host, Instant at) {
        return leases.renew(host, at, at.plus(LEASE), at.minus(RECONCILE_EVERY)).orElseThrow();
    }
}
