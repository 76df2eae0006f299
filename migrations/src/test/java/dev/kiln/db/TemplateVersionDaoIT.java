package dev.kiln.db;

import static dev.kiln.db.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.kiln.model.TagMoveReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TemplateVersionDaoIT {
    @RegisterExtension
    static TestDatabase db = new TestDatabase();

    private final TemplateVersionDao versions = db.jdbi().onDemand(TemplateVersionDao.class);
    private final TemplateDao templates = db.jdbi().onDemand(TemplateDao.class);
    private String teamId;

    @BeforeEach
    void insertTeam() {
        teamId = Fixtures.insertTeam(db.jdbi().onDemand(TeamDao.class)).id();
    }

    @Test
    void aFirstPublishCreatesTheTemplateUnderTheVersionsIdAndTagsItLatest() {
        String name = unique("py");
        NewTemplateVersion made = Fixtures.version("image");

        TemplateVersionRow published = versions.publish(teamId, name, made, TagMoveReason.BUILD, "bld-1", T0);

        assertThat(templates.findById(made.id())).contains(new TemplateRow(made.id(), teamId, name, T0));
        assertThat(published).isEqualTo(new TemplateVersionRow(made.id(), 1, made.id(), "image", made.imageRef(), 2,
                1024, 0, "root", Map.of(), null, null, null, null, null, null, null, made.imageDigest(), null,
                null, null, null, T0));
        assertThat(versions.find(made.id(), 1)).contains(published);
        assertThat(versions.findById(made.id())).contains(published);
        assertThat(versions.findAtTag(made.id(), TemplateVersionDao.LATEST)).contains(published);
        assertThat(versions.tags(made.id())).containsExactly(
                new TemplateTagRow(made.id(), TemplateVersionDao.LATEST, 1, T0));
        assertThat(versions.history(made.id(), TemplateVersionDao.LATEST)).singleElement().satisfies(move -> {
            assertThat(move.fromVersion()).isNull();
            assertThat(move.toVersion()).isEqualTo(1);
            assertThat(move.reason()).isEqualTo(TagMoveReason.BUILD);
            assertThat(move.movedBy()).isEqualTo("bld-1");
            assertThat(move.movedAt()).isEqualTo(T0);
        });
    }

    @Test
    void aLaterPublishNumbersTheNextVersionUnderItsOwnIdAndMovesLatestOnly() {
        String name = unique("py");
        TemplateVersionRow first = versions.publish(teamId, name, Fixtures.version("image"), TagMoveReason.BUILD,
                "bld-1", T0);
        String templateId = first.templateId();
        versions.moveTag(templateId, "stable", 1, TagMoveReason.SET, "key-1", T0.plusSeconds(1));
        NewTemplateVersion made = Fixtures.version("snapshot");

        TemplateVersionRow second = versions.publish(teamId, name, made, TagMoveReason.SNAPSHOT, "snap-1",
                T0.plusSeconds(2));

        assertThat(second.templateId()).isEqualTo(templateId);
        assertThat(second.version()).isEqualTo(2);
        assertThat(second.id()).isEqualTo(made.id()).isNotEqualTo(templateId);
        assertThat(versions.nextVersion(templateId)).isEqualTo(3);
        assertThat(versions.findAtTag(templateId, TemplateVersionDao.LATEST)).contains(second);
        assertThat(versions.findAtTag(templateId, "stable")).contains(first);
        assertThat(versions.list(templateId)).containsExactly(second, first);
        assertThat(versions.history(templateId, TemplateVersionDao.LATEST)).extracting(TagMoveRow::fromVersion,
                TagMoveRow::toVersion, TagMoveRow::reason).containsExactly(
                        tuple(1, 2, TagMoveReason.SNAPSHOT),
                        tuple(null, 1, TagMoveReason.BUILD));
    }

    @Test
    void aPublishIntoANameTakenInAnotherSpaceCommitsNothing() {
        String name = unique("base");
        Fixtures.insertTemplate(db.jdbi(), Ids.PLATFORM_TEAM_ID, name, "image", T0);
        NewTemplateVersion made = Fixtures.version("snapshot");

        assertThatThrownBy(() -> versions.publish(teamId, name, made, TagMoveReason.SNAPSHOT, "snap-1", T0))
                .isInstanceOf(TemplateNameTakenException.class);

        assertThat(templates.findById(made.id())).isEmpty();
        assertThat(versions.findById(made.id())).isEmpty();
    }

    @Test
    void concurrentPublishesOfOneNameNumberTheirVersionsWithoutGapsOrDoubles() throws Exception {
        String name = unique("busy");
        String templateId = versions.publish(teamId, name, Fixtures.version("image"), TagMoveReason.BUILD, "bld-0", T0)
                .templateId();
        List<CompletableFuture<TemplateVersionRow>> publishes = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            String by = "bld-" + i;
            publishes.add(CompletableFuture.supplyAsync(() -> versions.publish(teamId, name,
                    Fixtures.version("image"), TagMoveReason.BUILD, by, T0.plusSeconds(1))));
        }
        List<Integer> numbers = new ArrayList<>();
        for (CompletableFuture<TemplateVersionRow> publish : publishes) {
            numbers.add(publish.get(20, TimeUnit.SECONDS).version());
        }

        assertThat(numbers).containsExactlyInAnyOrder(2, 3, 4, 5, 6, 7);
        List<TagMoveRow> moves = versions.history(templateId, TemplateVersionDao.LATEST);
        assertThat(moves).hasSize(7);
        for (int i = 0; i < moves.size() - 1; i++) {
            assertThat(moves.get(i).fromVersion()).as("each move leaves the version the one before it set")
                    .isEqualTo(moves.get(i + 1).toVersion());
        }
        assertThat(versions.findAtTag(templateId, TemplateVersionDao.LATEST).orElseThrow().version())
                .isEqualTo(moves.get(0).toVersion());
    }

    @Test
    void moveTagCreatesOrMovesATagRecordsEachMoveAndSkipsAMoveToWhereItIs() {
        TemplateRow template = templateWithVersions(3);

        TagMoveRow created = versions.moveTag(template.id(), "stable", 1, TagMoveReason.SET, "key-1", T0.plusSeconds(10))
                .orElseThrow();
        TagMoveRow moved = versions.moveTag(template.id(), "stable", 3, TagMoveReason.SET, "key-2", T0.plusSeconds(11))
                .orElseThrow();
        TagMoveRow back = versions.moveTag(template.id(), "stable", 1, TagMoveReason.ROLLBACK, "key-1",
                T0.plusSeconds(12)).orElseThrow();

        assertThat(versions.moveTag(template.id(), "stable", 1, TagMoveReason.SET, "key-2", T0.plusSeconds(13)))
                .isEmpty();
        assertThat(created.fromVersion()).isNull();
        assertThat(moved.fromVersion()).isEqualTo(1);
        assertThat(moved.toVersion()).isEqualTo(3);
        assertThat(back.reason()).isEqualTo(TagMoveReason.ROLLBACK);
        assertThat(versions.history(template.id(), "stable")).containsExactly(back, moved, created);
        assertThat(versions.findTag(template.id(), "stable"))
                .contains(new TemplateTagRow(template.id(), "stable", 1, T0.plusSeconds(12)));
        assertThat(versions.tags(template.id())).extracting(TemplateTagRow::tag)
                .containsExactly(TemplateVersionDao.LATEST, "stable");
    }

    @Test
    void tagsListLatestFirstThenByName() {
        TemplateRow template = templateWithVersions(2);
        versions.moveTag(template.id(), "zeta", 1, TagMoveReason.SET, "key-1", T0);
        versions.moveTag(template.id(), "alpha", 2, TagMoveReason.SET, "key-1", T0);

        assertThat(versions.tags(template.id())).extracting(TemplateTagRow::tag)
                .containsExactly(TemplateVersionDao.LATEST, "alpha", "zeta");
        assertThat(versions.findTag(template.id(), "missing")).isEmpty();
        assertThat(versions.findAtTag(template.id(), "missing")).isEmpty();
    }

    @Test
    void aTagCannotPointAtAVersionThatDoesNotExistNorMoveOnATemplateThatIsGone() {
        TemplateRow template = templateWithVersions(1);

        assertThatThrownBy(() -> versions.moveTag(template.id(), "stable", 9, TagMoveReason.SET, "key-1", T0))
                .satisfies(TemplateDaoIT::isForeignKeyViolation);
        assertThat(versions.findTag(template.id(), "stable")).isEmpty();
        assertThatThrownBy(() -> versions.moveTag(Ids.newId("tpl"), "stable", 1, TagMoveReason.SET, "key-1", T0))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void revokeKeepsTheFirstRevocationAndRestoreClearsIt() {
        TemplateRow template = templateWithVersions(2);

        assertThat(versions.revoke(template.id(), 1, "key-1", "CVE-2024-0001", T0)).isEqualTo(1);
        assertThat(versions.revoke(template.id(), 1, "key-2", "again", T0.plusSeconds(1))).isZero();
        assertThat(versions.revoke(template.id(), 7, "key-1", null, T0)).isZero();

        TemplateVersionRow revoked = versions.find(template.id(), 1).orElseThrow();
        assertThat(revoked.revoked()).isTrue();
        assertThat(revoked.revokedAt()).isEqualTo(T0);
        assertThat(revoked.revokedBy()).isEqualTo("key-1");
        assertThat(revoked.revokeReason()).isEqualTo("CVE-2024-0001");
        assertThat(versions.find(template.id(), 2).orElseThrow().revoked()).isFalse();

        assertThat(versions.restore(template.id(), 1)).isEqualTo(1);
        TemplateVersionRow restored = versions.find(template.id(), 1).orElseThrow();
        assertThat(restored.revoked()).isFalse();
        assertThat(restored.revokedBy()).isNull();
        assertThat(restored.revokeReason()).isNull();
        assertThat(versions.restore(template.id(), 7)).isZero();
    }

    @Test
    void deleteTemplateReturnsEveryVersionWhoseImageMustGoAndRemovesThemAll() {
        TemplateRow template = templateWithVersions(3);

        List<TemplateVersionRow> deleted = versions.deleteTemplate(template.id());

        assertThat(deleted).extracting(TemplateVersionRow::version).containsExactly(3, 2, 1);
        assertThat(deleted).extracting(TemplateVersionRow::imageRef).doesNotHaveDuplicates();
        assertThat(templates.findById(template.id())).isEmpty();
        assertThat(versions.list(template.id())).isEmpty();
        assertThat(versions.deleteTemplate(template.id())).isEmpty();
    }

    @Test
    void aPublishIntoANameBeingDeletedWaitsAndThenStartsAFreshTemplate() throws Exception {
        TemplateRow template = templateWithVersions(2);
        CompletableFuture<TemplateVersionRow> publish;
        try (Handle deleting = db.jdbi().open()) {
            deleting.begin();
            deleting.attach(TemplateVersionDao.class).deleteTemplate(template.id());
            publish = CompletableFuture.supplyAsync(() -> versions.publish(teamId, template.name(),
                    Fixtures.version("image"), TagMoveReason.BUILD, "bld-9", T0.plusSeconds(5)));
            Thread.sleep(300);
            assertThat(publish).as("waits for the delete's lock on the template").isNotDone();
            deleting.commit();
        }

        TemplateVersionRow published = publish.get(10, TimeUnit.SECONDS);

        assertThat(published.version()).isEqualTo(1);
        assertThat(published.templateId()).isNotEqualTo(template.id());
        assertThat(templates.findOwned(teamId, template.name()).orElseThrow().id()).isEqualTo(published.templateId());
    }

    /** A team template with {@code count} versions published one after another, latest at the last. */
    private TemplateRow templateWithVersions(int count) {
        String name = unique("tpl");
        TemplateRow template = null;
        for (int i = 1; i <= count; i++) {
            TemplateVersionRow version = versions.publish(teamId, name, Fixtures.version("image"),
                    TagMoveReason.BUILD, "bld-" + i, T0.plusSeconds(i));
            template = templates.findById(version.templateId()).orElseThrow();
        }
        return template;
    }

    private static String unique(String name) {
        return name + "-" + Ids.randomTokenHex(4);
    }
}
