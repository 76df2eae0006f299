package dev.kiln.activities.docker;

import static dev.kiln.activities.docker.TestArchives.Entry.directory;
import static dev.kiln.activities.docker.TestArchives.Entry.file;
import static dev.kiln.activities.docker.TestArchives.Entry.symlink;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.workflows.FailureType;
import dev.kiln.workflows.sandbox.UploadArchive;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The uploaded archive, unpacked into /tmp/build-files of a real sandbox, or refused before it gets there. */
class UploadArchiveIT extends BuildSandboxActivitiesTestBase {

    private static final TestArchives.Entry[] SITE = {
        directory("site"), file("site/index.html", "<h1>hi</h1>\n", 0600), directory("bin"),
        file("bin/serve", "#!/bin/sh\necho serving\n", 0700), symlink("serve", "bin/serve")
    };

    /** Every entry with its type, mode and owner, as the build user will find them. */
    private static final String UNPACKED = "/tmp/build-files 755 root\n"
            + "/tmp/build-files/bin 755 root\n"
            + "/tmp/build-files/bin/serve 755 root\n"
            + "/tmp/build-files/serve 777 root\n"
            + "/tmp/build-files/site 755 root\n"
            + "/tmp/build-files/site/index.html 644 root\n"
            + "serving\n<h1>hi</h1>\n";

    private static final String LIST = "find /tmp/build-files | sort | xargs stat -c '%n %a %U'; "
            + "/tmp/build-files/serve; cat /tmp/build-files/site/index.html";

    @Test
    void unpacksATar() {
        assertThat(upload(TestArchives.tar(SITE))).isEqualTo(UNPACKED);
    }

    @Test
    void unpacksATarGz() {
        assertThat(upload(TestArchives.tarGz(SITE))).isEqualTo(UNPACKED);
    }

    @Test
    void unpacksAZip() {
        assertThat(upload(TestArchives.zip(SITE))).isEqualTo(UNPACKED);
    }

    @Test
    void aSecondUploadReplacesTheFirst() {
        String containerId = createSandbox();
        archives.put(buildId, TestArchives.tar(file("old.txt", "old")));
        activities.uploadArchive(new UploadArchive(buildId, containerId));
        archives.put(buildId, TestArchives.tar(file("new.txt", "new")));

        activities.uploadArchive(new UploadArchive(buildId, containerId));

        assertThat(run(containerId, ROOT_CONTEXT, "ls /tmp/build-files")).isEqualTo("new.txt\n");
    }

    @Test
    void refusesAnEntryClimbingOutAndWritesNothing() {
        assertRefused(TestArchives.tar(file("fine.txt", "fine"), file("../evil", "x")), "../evil");
    }

    @Test
    void refusesAnAbsoluteEntryAndWritesNothing() {
        assertRefused(TestArchives.tar(file("fine.txt", "fine"), file("/evil", "x")), "/evil");
    }

    @Test
    void refusesASymlinkPointingOutsideAndWritesNothing() {
        assertRefused(TestArchives.tarGz(file("fine.txt", "fine"), symlink("escape", "../../evil")), "escape");
    }

    @Test
    void refusesAnUnrecognisedFormat() {
        assertRefused("plain text".getBytes(StandardCharsets.UTF_8), "unrecognised archive format");
    }

    private String upload(byte[] archive) {
        String containerId = createSandbox();
        archives.put(buildId, archive);

        activities.uploadArchive(new UploadArchive(buildId, containerId));

        return run(containerId, step(containerId, ROOT_CONTEXT, "USER", "builder").context(), LIST);
    }

    private void assertRefused(byte[] archive, String messagePart) {
        String containerId = createSandbox();
        archives.put(buildId, archive);

        assertThatThrownBy(() -> activities.uploadArchive(new UploadArchive(buildId, containerId)))
                .isInstanceOf(ActivityFailure.class)
                .cause()
                .isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
                    assertThat(failure.getType()).isEqualTo(FailureType.ARCHIVE_INVALID.name());
                    assertThat(failure.isNonRetryable()).isTrue();
                    assertThat(failure.getOriginalMessage()).contains(messagePart);
                });
        assertThat(run(containerId, ROOT_CONTEXT, "ls -a /tmp; test -e /evil || echo no-evil"))
                .isEqualTo(".\n..\nno-evil\n");
    }
}
