package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HostsCommandTest {
    @RegisterExtension
    final FakeKilnApi api = new FakeKilnApi();

    @Test
    void hostsPrintsATableWithStatusDrainingHeartbeatAndLoad() {
        api.route("/v1/hosts", 200, "application/json", """
                [{"id":"host-a","status":"online","draining":false,"memory_mb":8000,
                  "last_heartbeat_at":"2025-01-01T11:59:56Z",
                  "load":{"running_sandboxes":2,"cpu_pct":3.5,"memory_used_mb":1200}},
                 {"id":"host-b","status":"pending","draining":true,"load":{}}]
                """);
        assertThat(api.run("hosts")).isZero();
        assertThat(api.out()).isEqualTo("""
                ID      STATUS   DRAINING  LAST HEARTBEAT  LOAD
                host-a  online   no        4s ago          cpu 3.5%, mem 1200/8000 MB, 2 sandboxes
                host-b  pending  yes       -               -
                """);
        assertThat(api.authorizations).containsExactly("Bearer kiln_test");
    }

    @Test
    void loadFiguresTheClientDoesNotKnowAreShownByNameInTheHostsOrder() {
        api.route("/v1/hosts", 200, "application/json", """
                [{"id":"host-c","status":"online","disk_gb":100,"gpu":"a100","last_heartbeat_at":"not a time",
                  "load":{"gpu_pct":12,"disk_used_gb":40,"pressure":{"io":0.5},"running_sandboxes":1}}]
                """);

        assertThat(api.run("hosts")).isZero();

        assertThat(api.out()).contains("host-c  online  no        -               disk 40/100 GB, 1 sandbox, gpu_pct=12, "
                + "pressure={\"io\":0.5}");
    }
}
