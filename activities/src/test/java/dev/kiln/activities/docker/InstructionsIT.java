package dev.kiln.activities.docker;

import static dev.kiln.activities.docker.TestArchives.Entry.directory;
import static dev.kiln.activities.docker.TestArchives.Entry.file;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.workflows.sandbox.StepContext;
import dev.kiln.workflows.sandbox.StepOutcome;
import dev.kiln.workflows.sandbox.UploadArchive;
import org.junit.jupiter.api.Test;

/** Each recipe instruction's semantics (wrenn.md 1.3) on the busybox minimal image. */
class InstructionsIT extends BuildSandboxActivitiesTestBase {

    @Test
    void envExpandsOnceAndALaterRunSeesTheValue() {
        String containerId = createSandbox();
        StepContext context = activities.readEnvironment(containerId);

        StepOutcome greeting = step(containerId, context, "ENV", "GREETING", "hello");
        StepOutcome message = step(containerId, greeting.context(), "ENV", "MESSAGE", "$GREETING world, it costs $$5");

        assertThat(greeting.ok()).isTrue();
        assertThat(message.context().env()).containsEntry("MESSAGE", "hello world, it costs $5");
        assertThat(run(containerId, message.context(), "echo \"$MESSAGE\""))
                .isEqualTo("hello world, it costs $5\n");
    }

    @Test
    void workdirCreatesTheDirectoryAndLaterRunsRunThere() {
        String containerId = createSandbox();
        StepContext context = activities.readEnvironment(containerId);

        StepOutcome absolute = step(containerId, context, "WORKDIR", "/srv/my app");
        StepOutcome relative = step(containerId, absolute.context(), "WORKDIR", "sub/../nested");

        assertThat(absolute.ok()).isTrue();
        assertThat(absolute.context().workdir()).isEqualTo("/srv/my app");
        assertThat(relative.context().workdir()).isEqualTo("/srv/my app/nested");
        assertThat(run(containerId, relative.context(), "pwd")).isEqualTo("/srv/my app/nested\n");
    }

    @Test
    void workdirCreatedForANonRootUserIsWritableByItButAnExistingOneKeepsItsOwner() {
        String containerId = createSandbox();
        StepContext root = activities.readEnvironment(containerId);
        StepOutcome user = step(containerId, root, "USER", "builder");

        StepOutcome fresh = step(containerId, user.context(), "WORKDIR", "/srv/site");
        StepOutcome existing = step(containerId, fresh.context(), "WORKDIR", "/etc");

        assertThat(fresh.ok()).as(fresh.stderrTail()).isTrue();
        assertThat(run(containerId, fresh.context(), "touch index.html && stat -c %U /srv/site")).isEqualTo("builder\n");
        assertThat(existing.ok()).isTrue();
        assertThat(run(containerId, root, "stat -c %U /etc")).isEqualTo("root\n");
    }

    @Test
    void userCreatesTheUserWithHomeAndSudoAndLaterRunsRunAsIt() {
        String containerId = createSandbox();
        StepContext context = activities.readEnvironment(containerId);

        StepOutcome user = step(containerId, context, "USER", "builder");
        StepOutcome again = step(containerId, user.context(), "USER", "builder");

        assertThat(user.ok()).as(user.stderrTail()).isTrue();
        assertThat(again.ok()).as(again.stderrTail()).isTrue();
        assertThat(user.context().user()).isEqualTo("builder");
        assertThat(user.context().env()).containsEntry("HOME", "/home/builder");
        assertThat(run(containerId, user.context(), "id -un; echo $HOME; stat -c %U \"$HOME\""))
                .isEqualTo("builder\n/home/builder\nbuilder\n");
        assertThat(run(containerId, context, "stat -c '%U %a' /etc/sudoers.d/builder; cat /etc/sudoers.d/builder"))
                .isEqualTo("root 440\nbuilder ALL=(ALL) NOPASSWD:ALL\n");
        assertThat(run(containerId, context, "grep -c '^builder:' /etc/passwd")).isEqualTo("1\n");
    }

    @Test
    void userRootSwitchesBackWithoutCreatingAnything() {
        String containerId = createSandbox();
        StepContext builder = step(containerId, activities.readEnvironment(containerId), "USER", "builder").context();

        StepOutcome root = step(containerId, builder, "USER", "root");

        assertThat(root.context().user()).isEqualTo("root");
        assertThat(root.context().env()).containsEntry("HOME", "/root");
        assertThat(run(containerId, root.context(), "id -un; test -e /etc/sudoers.d/root || echo none"))
                .isEqualTo("root\nnone\n");
    }

    @Test
    void startLeavesABackgroundProcessRunningAfterTheStepReturns() {
        String containerId = createSandbox();
        StepContext context = step(containerId, activities.readEnvironment(containerId), "USER", "builder").context();

        StepOutcome started = step(containerId, context, "START", "echo noisy; exec sleep 4242");

        assertThat(started.ok()).as(started.stderrTail()).isTrue();
        assertThat(started.stdoutTail()).isEmpty();
        assertThat(started.elapsedMs()).isLessThan(5_000);
        assertThat(run(containerId, context, "ps -o user,args | grep 'sleep 4242' | grep -v grep"))
                .contains("builder").contains("sleep 4242");
    }

    @Test
    void startReportsAFailedFork() {
        String containerId = createSandbox();
        StepContext unknownUser = new StepContext("", ROOT_CONTEXT.env(), "nobody-here");

        StepOutcome started = step(containerId, unknownUser, "START", "sleep 1");

        assertThat(started.ok()).isFalse();
        assertThat(started.stderrTail()).startsWith("start failed with exit code " + started.exitCode() + ": ");
    }

    @Test
    void runFailsWithItsExitCodeAndTimesOutAtTheStepTimeout() {
        String containerId = createSandbox();

        StepOutcome failed = step(containerId, ROOT_CONTEXT, "RUN", "echo bad >&2; exit 3");
        StepOutcome slow = step(containerId, ROOT_CONTEXT, 1, "RUN", "sleep 30");

        assertThat(failed.exitCode()).isEqualTo(3);
        assertThat(failed.stderrTail()).isEqualTo("bad\n");
        assertThat(slow.timedOut()).isTrue();
        assertThat(slow.ok()).isFalse();
        assertThat(slow.elapsedMs()).isLessThan(15_000);
    }

    @Test
    void copyCopiesFromTheUploadedArchiveAndChownsForTheUser() {
        String containerId = createSandbox();
        archives.put(buildId, TestArchives.tar(
                directory("site"), file("site/index.html", "<h1>hi</h1>\n"), file("notes.txt", "notes\n", 0600)));
        activities.uploadArchive(new UploadArchive(buildId, containerId));
        StepContext context = step(containerId, activities.readEnvironment(containerId), "USER", "builder").context();
        context = step(containerId, context, "WORKDIR", "/home/builder").context();

        run(containerId, ROOT_CONTEXT, "mkdir /srv");

        StepOutcome copied = step(containerId, context, "COPY", "site", "www");
        StepOutcome copiedMany = step(containerId, context, "COPY", "./site/index.html", "notes.txt", "/srv");

        assertThat(copied.ok()).as(copied.stderrTail()).isTrue();
        assertThat(copiedMany.ok()).as(copiedMany.stderrTail()).isTrue();
        assertThat(run(containerId, context, "cat www/index.html; stat -c %U www www/index.html /srv/notes.txt"))
                .isEqualTo("<h1>hi</h1>\nbuilder\nbuilder\nbuilder\n");
    }

    @Test
    void copyAsRootKeepsRootAsOwner() {
        String containerId = createSandbox();
        archives.put(buildId, TestArchives.tar(file("tool.sh", "echo tool\n", 0755)));
        activities.uploadArchive(new UploadArchive(buildId, containerId));

        StepOutcome copied = step(containerId, ROOT_CONTEXT, "COPY", "tool.sh", "usr/bin/tool");

        assertThat(copied.ok()).as(copied.stderrTail()).isTrue();
        assertThat(run(containerId, ROOT_CONTEXT, "tool; stat -c '%U %a' /usr/bin/tool")).isEqualTo("tool\nroot 755\n");
    }

    @Test
    void copyRefusesSourcesOutsideTheArchive() {
        String containerId = createSandbox();

        StepOutcome parent = step(containerId, ROOT_CONTEXT, "COPY", "../x", "/tmp/stolen");
        StepOutcome sneaky = step(containerId, ROOT_CONTEXT, "COPY", "a/../../x", "/tmp/stolen");
        StepOutcome absolute = step(containerId, ROOT_CONTEXT, "COPY", "/etc/passwd", "/tmp/stolen");

        assertThat(parent.ok()).isFalse();
        assertThat(parent.stderrTail()).isEqualTo("COPY source must be a relative path within the archive: ../x");
        assertThat(sneaky.stderrTail()).isEqualTo("COPY source must be a relative path within the archive: a/../../x");
        assertThat(absolute.ok()).isFalse();
        assertThat(absolute.exitCode()).isNotZero();
        assertThat(absolute.stderrTail())
                .isEqualTo("COPY source must be a relative path within the archive: /etc/passwd");
        assertThat(run(containerId, ROOT_CONTEXT, "test -e /tmp/stolen || echo absent")).isEqualTo("absent\n");
    }
}
