package dev.kiln.activities.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.exception.NotFoundException;
import dev.kiln.workflows.sandbox.CommitSandbox;
import dev.kiln.workflows.sandbox.ImageInfo;
import dev.kiln.workflows.sandbox.StepContext;
import dev.kiln.workflows.sandbox.StepOutcome;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Builds on the Debian base image that {@code scripts/make-debian-base.sh} makes; skipped where it has not run.
 * Installs a package from deb.debian.org, so it needs the network.
 */
class DebianBaseIT extends BuildSandboxActivitiesTestBase {

    private static final String DEBIAN_IMAGE = "kiln/debian:bookworm";

    @BeforeEach
    void requireTheDebianImage() {
        try {
            docker.inspectImageCmd(DEBIAN_IMAGE).exec();
        } catch (NotFoundException e) {
            Assumptions.abort(DEBIAN_IMAGE + " is not on this engine; run scripts/make-debian-base.sh");
        }
    }

    @Test
    void aRecipeInstallsCurlWithAptAsTheBuildUserAndFlattens() throws InterruptedException {
        String containerId = createSandbox(DEBIAN_IMAGE);
        StepContext context = activities.readEnvironment(containerId);
        context = step(containerId, context, "USER", "kiln").context();
        context = step(containerId, context, "WORKDIR", "/home/kiln").context();

        StepOutcome install = step(containerId, context, 600, "RUN",
                "sudo -n apt-get update && sudo -n DEBIAN_FRONTEND=noninteractive apt-get install -y"
                        + " --no-install-recommends curl");
        System.out.printf("apt-get update && apt-get install curl took %d ms%n", install.elapsedMs());

        assertThat(install.ok()).as(install.stderrTail()).isTrue();
        assertThat(run(containerId, context, "id -un; pwd; curl --version | head -1"))
                .startsWith("kiln\n/home/kiln\ncurl ");
        assertThat(run(containerId, context, "getent passwd kiln | cut -d: -f6,7")).isEqualTo("/home/kiln:/bin/bash\n");

        String imageRef = support.image("kiln-test/debian-curl-" + buildId + ":v1");
        ImageInfo image = activities.flattenSandbox(new CommitSandbox(
                buildId, containerId, imageRef, "kiln", "/home/kiln", List.of(), Map.of(), null));
        assertThat(image.layers()).isEqualTo(1);
        assertThat(support.run(imageRef, "/bin/sh", "-c", "id -un; curl --version | head -1"))
                .startsWith("kiln\ncurl ");
    }

    @Test
    void aRunAsRootInstallsCurl() {
        String containerId = createSandbox(DEBIAN_IMAGE);
        StepContext context = activities.readEnvironment(containerId);

        StepOutcome install = step(containerId, context, 600, "RUN",
                "apt-get update && apt-get install -y --no-install-recommends curl");
        System.out.printf("apt-get update && apt-get install curl (as root) took %d ms%n", install.elapsedMs());

        assertThat(install.ok()).as(install.stderrTail()).isTrue();
        assertThat(run(containerId, context, "curl --version")).startsWith("curl ");
    }

    @Test
    void readEnvironmentFallsBackWhenTheImageHasNoEnv() {
        String containerId = createSandbox(DEBIAN_IMAGE);
        run(containerId, ROOT_CONTEXT, "rm /usr/bin/env");

        StepContext context = activities.readEnvironment(containerId);

        assertThat(context).isEqualTo(new StepContext("", Map.of(
                "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME", "/root"), "root"));
    }
}
