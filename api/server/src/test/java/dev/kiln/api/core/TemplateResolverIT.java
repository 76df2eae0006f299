package dev.kiln.api.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.api.errors.ApiException;
import dev.kiln.api.errors.ErrorCode;
import dev.kiln.db.Ids;
import dev.kiln.db.NewTemplateVersion;
import dev.kiln.db.TeamDao;
import dev.kiln.db.TeamRow;
import dev.kiln.db.TemplateAtVersion;
import dev.kiln.db.TemplateVersionDao;
import dev.kiln.db.TemplateVersionRow;
import dev.kiln.db.TestDatabase;
import dev.kiln.model.TagMoveReason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What {@code name}, {@code name:tag} and {@code name@vN} start from, over a real PostgreSQL. */
class TemplateResolverIT {
    @RegisterExtension
    static final TestDatabase DATABASE = new TestDatabase();

    private static final Instant T0 = Instant.parse("2100-01-01T00:00:00Z");
    private static String teamId;
    private static String otherTeamId;
    private static final List<TemplateVersionRow> PLATFORM_VERSIONS = new ArrayList<>();
    private static TemplateVersionRow teamVersion;

    private TemplateResolver resolver() {
        return new TemplateResolver(DATABASE.jdbi());
    }

    @BeforeAll
    static void publishVersions() {
        teamId = team();
        otherTeamId = team();
        TemplateVersionDao versions = DATABASE.jdbi().onDemand(TemplateVersionDao.class);
        for (int i = 1; i <= 3; i++) {
            PLATFORM_VERSIONS.add(versions.publish(Ids.PLATFORM_TEAM_ID, "py", version(), TagMoveReason.BUILD,
                    "bld-" + i, T0.plusSeconds(i)));
        }
        String py = PLATFORM_VERSIONS.get(0).templateId();
        versions.moveTag(py, "stable", 2, TagMoveReason.SET, "key-1", T0.plusSeconds(10));
        teamVersion = versions.publish(teamId, "app", version(), TagMoveReason.SNAPSHOT, "snap-1", T0);
    }

    @Test
    void aPlainNameIsItsLatestAColonNamesATagAndAnAtNamesAVersion() {
        assertThat(resolve(teamId, "py").version()).isEqualTo(PLATFORM_VERSIONS.get(2));
        assertThat(resolve(teamId, "py:stable").version()).isEqualTo(PLATFORM_VERSIONS.get(1));
        assertThat(resolve(teamId, "py@v1").version()).isEqualTo(PLATFORM_VERSIONS.get(0));
        assertThat(resolve(teamId, "py@v1").template().name()).isEqualTo("py");
        assertThat(resolve(teamId, "app").version()).isEqualTo(teamVersion);
    }

    @Test
    void aTagOrVersionTheTemplateDoesNotHaveAndAnotherTeamsTemplateAreNotFound() {
        assertRefused(teamId, "py:nightly", ErrorCode.TEMPLATE_NOT_FOUND, "template \"py\" has no tag \"nightly\"");
        assertRefused(teamId, "py@v9", ErrorCode.TEMPLATE_NOT_FOUND, "template \"py\" has no version 9");
        assertRefused(otherTeamId, "app", ErrorCode.TEMPLATE_NOT_FOUND, "template \"app\" not found");
    }

    @Test
    void aRevokedVersionIsRefusedByNumberAndThroughATagAndServedAgainOnceRestored() {
        TemplateVersionDao versions = DATABASE.jdbi().onDemand(TemplateVersionDao.class);
        String py = PLATFORM_VERSIONS.get(0).templateId();
        versions.revoke(py, 2, "key-1", "CVE-2024-0001", T0);
        try {
            assertThatThrownBy(() -> resolve(teamId, "py:stable")).isInstanceOfSatisfying(ApiException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.REVOKED);
                assertThat(e.getMessage()).isEqualTo("template py@v2 is revoked: CVE-2024-0001; its tag \"stable\" "
                        + "points at it: roll the tag back or set it to another version");
                assertThat(e.details()).containsEntry("template", "py").containsEntry("version", 2)
                        .containsEntry("revoke_reason", "CVE-2024-0001").containsKey("revoked_at");
            });
            assertRefused(teamId, "py@v2", ErrorCode.REVOKED, "template py@v2 is revoked: CVE-2024-0001");
            assertThat(resolve(teamId, "py").version().version()).as("latest is v3, not revoked").isEqualTo(3);
        } finally {
            versions.restore(py, 2);
        }
        assertThat(resolve(teamId, "py:stable").version().version()).isEqualTo(2);
    }

    private TemplateAtVersion resolve(String team, String text) {
        return resolver().resolve(team, TemplateRef.parse(text, "template"), "template");
    }

    private void assertRefused(String team, String text, ErrorCode code, String message) {
        assertThatThrownBy(() -> resolve(team, text)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    private static NewTemplateVersion version() {
        String id = Ids.newId("tpl");
        return new NewTemplateVersion(id, "image", "kiln/" + id + ":latest", 1, 512, 0, "root", Map.of(), null, null,
                null, null, null, null, null, null, null);
    }

    private static String team() {
        String id = Ids.newId("team");
        DATABASE.jdbi().onDemand(TeamDao.class).insert(new TeamRow(id, "acme", false, null));
        return id;
    }
}
