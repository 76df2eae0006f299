package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TemplateCommandsTest {
    @RegisterExtension
    final FakeKilnApi api = new FakeKilnApi();

    @Test
    void listShowsEachTemplateAtItsLatestVersionAndWhetherItIsRevoked() {
        api.route("/v1/templates", 200, "application/json", """
                [{"id":"tpl-2","name":"py","type":"image","platform":true,"size_bytes":1500000,"version":3,
                  "created_at":"2025-01-01T11:00:00Z"},
                 {"id":"tpl-1","name":"app","type":"snapshot","platform":false,"size_bytes":0,"version":1,
                  "revoked_at":"2025-01-01T11:30:00Z","created_at":"2025-01-01T10:00:00Z"}]
                """);

        assertThat(api.run("templates", "list", "--type", "image")).isZero();

        assertThat(api.out()).isEqualTo("""
                NAME  LATEST        TYPE      OWNER     SIZE    CREATED
                py    v3            image     platform  1.5 MB  1h ago
                app   v1 (revoked)  snapshot  team      0 B     2h ago
                """);
        assertThat(api.requests).containsExactly("GET /v1/templates?type=image");
    }

    @Test
    void versionsShowTagsLineageWhatMadeEachAndRevocations() {
        api.route("/v1/templates/py/versions", 200, "application/json", """
                [{"template":"py","version":2,"type":"image","tags":["latest","stable"],"build_id":"bld-2",
                  "parent":{"template":"debian","template_id":"tpl-d","version":1},
                  "recipe_sha256":"0123456789abcdef0123","revoked":false,"created_at":"2025-01-01T11:58:00Z"},
                 {"template":"py","version":1,"type":"snapshot","tags":[],"snapshot_id":"snap-1","revoked":true,
                  "revoke_reason":"CVE-2024-0001","created_at":"2025-01-01T10:00:00Z"}]
                """);

        assertThat(api.run("templates", "versions", "py")).isZero();

        assertThat(api.out()).isEqualTo("""
                VERSION  TAGS           TYPE      FROM       MADE BY  RECIPE        CREATED  REVOKED
                v2       latest,stable  image     debian@v1  bld-2    0123456789ab  2m ago   -
                v1       -              snapshot  -          snap-1   -             2h ago   yes: CVE-2024-0001
                """);
    }

    @Test
    void tagsAndHistoryShowWhereEachTagPointsAndEveryMove() {
        api.route("/v1/templates/py/tags", 200, "application/json", """
                [{"tag":"latest","version":3,"moved_at":"2025-01-01T11:59:00Z"}]
                """);
        api.route("/v1/templates/py/tags/latest/history", 200, "application/json", """
                [{"tag":"latest","from_version":3,"to_version":2,"reason":"rollback","moved_by":"key-1",
                  "moved_at":"2025-01-01T11:59:30Z"},
                 {"tag":"latest","to_version":1,"reason":"build","moved_by":"bld-1","moved_at":"2025-01-01T10:00:00Z"}]
                """);

        assertThat(api.run("templates", "tags", "py")).isZero();
        assertThat(api.run("templates", "history", "py", "latest")).isZero();

        assertThat(api.out()).isEqualTo("""
                TAG     VERSION  MOVED
                latest  v3       1m ago
                MOVED    FROM  TO  REASON    BY
                30s ago  v3    v2  rollback  key-1
                2h ago   -     v1  build     bld-1
                """);
    }

    @Test
    void tagRollbackRevokeAndRestoreSendWhatTheApiReads() {
        api.route("/v1/templates/py/tags/stable", 200, "application/json", """
                {"tag":"stable","version":2,"moved_at":"2025-01-01T12:00:00Z"}""");
        api.route("/v1/templates/py/versions/3/revoke", 200, "application/json", """
                {"template":"py","version":3,"type":"image","tags":["latest"],"revoked":true}""");
        api.route("/v1/templates/py/versions/3/restore", 200, "application/json", """
                {"template":"py","version":3,"type":"image","tags":["latest"],"revoked":false}""");

        assertThat(api.run("templates", "tag", "py", "stable", "v2")).isZero();
        assertThat(api.run("templates", "rollback", "py", "stable", "--to", "1")).isZero();
        assertThat(api.run("templates", "revoke", "py", "v3", "--reason", "CVE-2024-0001")).isZero();
        assertThat(api.run("templates", "restore", "py", "3")).isZero();

        assertThat(api.requestBodies.get("PUT /v1/templates/py/tags/stable")).isEqualTo("{\"version\":2}");
        assertThat(api.requestBodies.get("POST /v1/templates/py/tags/stable/rollback")).isEqualTo("{\"version\":1}");
        assertThat(api.requestBodies.get("POST /v1/templates/py/versions/3/revoke"))
                .isEqualTo("{\"reason\":\"CVE-2024-0001\"}");
        assertThat(api.out()).isEqualTo("""
                py:stable -> v2
                py:stable -> v2
                py@v3 revoked; tags pointing at it: latest
                py@v3 restored
                """);
    }

    @Test
    void rollbackDefaultsToLatestAndAsksForTheVersionBeforeIt() {
        api.route("/v1/templates/py/tags/latest/rollback", 200, "application/json", """
                {"tag":"latest","version":1,"moved_at":"2025-01-01T12:00:00Z"}""");

        assertThat(api.run("templates", "rollback", "py")).isZero();

        assertThat(api.requestBodies.get("POST /v1/templates/py/tags/latest/rollback")).isEqualTo("{}");
        assertThat(api.out()).isEqualTo("py:latest -> v1\n");
    }

    @Test
    void aMalformedVersionIsAUsageErrorAndTheApisRefusalExitsOneWithItsCode() {
        api.route("/v1/templates/py/tags/latest/rollback", 409, "application/json", """
                {"error":{"code":"revoked","message":"template py@v2 is revoked: CVE-2024-0001"}}""");

        assertThat(api.run("templates", "tag", "py", "stable", "two")).isEqualTo(2);
        assertThat(api.err()).contains("a version is a positive number, as 3 or v3, not \"two\"");
        assertThat(api.requests).isEmpty();

        assertThat(api.run("templates", "rollback", "py")).isEqualTo(1);
        assertThat(api.err()).contains("409 revoked: template py@v2 is revoked: CVE-2024-0001");
    }
}
