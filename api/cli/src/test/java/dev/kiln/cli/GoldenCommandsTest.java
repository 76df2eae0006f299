package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class GoldenCommandsTest {
    @RegisterExtension
    final FakeKilnApi api = new FakeKilnApi();

    @Test
    void goldenStatusShowsEachHostAndASparklineOfItsBuildsWriteRate() {
        api.route("/v1/projects/web/golden/builds/gb-1/io", 200, "application/json", """
                {"build_id":"gb-1","status":"building","write_rate_mbps":4.0,"source":"live","samples":[
                 {"t":"2025-01-01T11:59:57Z","write_bytes":0},
                 {"t":"2025-01-01T11:59:58Z","write_bytes":8000000},
                 {"t":"2025-01-01T11:59:59Z","write_bytes":12000000}]}
                """);
        api.route("/v1/projects/web/golden", 200, "application/json", """
                {"status":"building","hosts":{"host-a":{"status":"building","generation":2,"size_bytes":2100000000,
                 "last_build_at":null,"last_ready_at":"2025-01-01T11:00:00Z","build_id":"gb-1","error":null}}}
                """);

        assertThat(api.run("golden", "status", "web")).isZero();

        assertThat(api.out()).contains("project web: golden building")
                .contains("host-a  building  2           2.1 GB  1h ago      gb-1   █▅ 4.0 MB/s");
    }

    @Test
    void aHostsErrorGetsALineAndAnUnreadableWriteRateShowsItsCode() {
        api.route("/v1/projects/web/golden/builds/gb-2/io", 503, "application/json",
                "{\"error\":{\"code\":\"host_unavailable\",\"message\":\"host-b did not answer\"}}");
        api.route("/v1/projects/web/golden", 200, "application/json", """
                {"status":"failed","hosts":{"host-b":{"status":"failed","generation":1,"size_bytes":0,
                 "last_ready_at":null,"build_id":"gb-2","error":"warm-up script exited with code 3"}}}
                """);

        assertThat(api.run("golden", "status", "web")).isZero();

        assertThat(api.out()).contains("host-b  failed  1           0 B   -           gb-2   (host_unavailable)")
                .contains("error: warm-up script exited with code 3");
    }

    @Test
    void aProjectNoHostHasBuiltSaysHowToBuildIt() {
        api.route("/v1/projects/web/golden", 200, "application/json", "{\"status\":\"none\",\"hosts\":{}}");

        assertThat(api.run("golden", "status", "web")).isZero();

        assertThat(api.out()).isEqualTo("project web: golden none\nno host has built it yet: POST /v1/projects/web/golden/build\n");
    }
}
