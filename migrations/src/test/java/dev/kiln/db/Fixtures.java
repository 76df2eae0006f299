package dev.kiln.db;

import dev.kiln.model.BuildStatus;
import dev.kiln.model.HostStatus;
import dev.kiln.model.TagMoveReason;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** Rows with sensible defaults, each with fresh ids so tests sharing a database don't collide. */
final class Fixtures {
    /** Later than any now() the database fills in, so rows given explicit times sort after defaulted ones. */
    static final Instant T0 = Instant.parse("2100-01-01T00:00:00Z");

    private Fixtures() {}

    static TeamRow insertTeam(TeamDao teams) {
        TeamRow team = new TeamRow(Ids.newId("team"), "acme", false, null);
        teams.insert(team);
        return team;
    }

    static HostRow host(String type, String teamId, HostStatus status) {
        return new HostRow(Ids.newId("host"), type, teamId, status, null, null, null, null, null, Map.of(), Map.of(),
                null, "test", null, null, false);
    }

    /** A version of nothing yet, with an id and image of its own, as a snapshot would publish it. */
    static NewTemplateVersion version(String type) {
        String id = Ids.newId("tpl");
        return new NewTemplateVersion(id, type, "kiln/" + id + ":latest", 2, 1024, 0, "root", Map.of(), null, null,
                null, null, null, null, null, "sha256:" + Ids.randomTokenHex(32), null);
    }

    /** The team's template {@code name} with one version of {@code type}, tagged latest, as a first publish leaves it. */
    static TemplateAtVersion insertTemplate(Jdbi jdbi, String teamId, String name, String type, Instant createdAt) {
        TemplateVersionRow version = jdbi.onDemand(TemplateVersionDao.class)
                .publish(teamId, name, version(type), TagMoveReason.SNAPSHOT, "test", createdAt);
        return new TemplateAtVersion(new TemplateRow(version.templateId(), teamId, name, createdAt), version);
    }

    static BuildRow build(String teamId, String name, BuildStatus status, Instant createdAt) {
        return new BuildRow(Ids.newId("bld"), teamId, name, Ids.MINIMAL_TEMPLATE_NAME, "kiln/minimal:latest",
                List.of("apt-get update", "apt-get install -y curl"), null, 1, 512, false, status, 0, 0, 2, null, null,
                null, null, null, Map.of(), "test", null, createdAt, null, null, null);
    }
}
