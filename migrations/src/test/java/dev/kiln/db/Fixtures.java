package dev.kiln.db;

import dev.kiln.model.BuildStatus;
import dev.kiln.model.HostStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;

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

    static TemplateRow template(String teamId, String name, String type, Instant createdAt) {
        return new TemplateRow(Ids.newId("tpl"), teamId, name, type, "kiln/" + name + ":latest", 2, 1024, 0, "root",
                Map.of(), null, null, createdAt);
    }

    static BuildRow build(String teamId, String name, BuildStatus status, Instant createdAt) {
        return new BuildRow(Ids.newId("bld"), teamId, name, Ids.MINIMAL_TEMPLATE_NAME, "kiln/minimal:latest",
                List.of("apt-get update", "apt-get install -y curl"), null, 1, 512, false, status, 0, 0, 2, null, null,
                null, null, null, Map.of(), "test", null, createdAt, null, null, null);
    }
}
