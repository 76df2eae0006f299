package dev.kiln.api.resources;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.ApiJson;
import dev.kiln.api.LivenessFactory;
import dev.kiln.api.control.HeartbeatPace;
import dev.kiln.api.control.HostPlacement;
import dev.kiln.api.control.HostScheduler;
import dev.kiln.api.core.Authenticator;
import dev.kiln.api.core.BuildEventStream;
import dev.kiln.api.core.BuildService;
import dev.kiln.api.core.FleetStats;
import dev.kiln.api.core.HostLifecycle;
import dev.kiln.api.core.HostService;
import dev.kiln.api.core.HostTokens;
import dev.kiln.api.core.PendingActivityHeartbeats;
import dev.kiln.api.core.ProjectService;
import dev.kiln.api.core.SandboxService;
import dev.kiln.api.core.SnapshotService;
import dev.kiln.api.core.TemplateService;
import dev.kiln.api.core.TemplateVersionService;
import dev.kiln.api.errors.ErrorMappers;
import dev.kiln.api.representation.MeView;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.testing.junit5.ResourceExtension;
import io.temporal.client.WorkflowClient;
import java.time.Clock;
import java.time.Duration;
import org.glassfish.jersey.media.multipart.MultiPartFeature;
import org.jdbi.v3.core.Jdbi;

/**
 * Every resource of kiln-api, wired over the given PostgreSQL and Temporal as KilnApiApplication wires them, with
 * the application's JSON configuration and error mapping, in one ResourceExtension: the API's fast test tier.
 */
final class ApiResources {
    /** Signs the host tokens these resources accept; a test issues its own with {@link #hostTokens()}. */
    private static final String HOST_TOKEN_SECRET = "resource-tests-secret-resource-tests-secret";
    private static final String CONTROL_TASK_QUEUE = "kiln-control-resource-tests";
    private static final long MAX_ARCHIVE_BYTES = 1024 * 1024;

    private ApiResources() {}

    static ResourceExtension over(Jdbi jdbi, WorkflowClient temporal) {
        Clock clock = Clock.systemUTC();
        ObjectMapper json = ApiJson.configure(Jackson.newObjectMapper());
        Authenticator authenticator = new Authenticator(jdbi);
        HostPlacement placement = new HostPlacement(jdbi, clock, new HostScheduler(HostScheduler.Policy.DEFAULT));
        PendingActivityHeartbeats heartbeats = new PendingActivityHeartbeats(temporal);
        TemplateService templates = new TemplateService(jdbi, temporal, CONTROL_TASK_QUEUE);
        SandboxService sandboxes = new SandboxService(jdbi, temporal, CONTROL_TASK_QUEUE, placement, clock);
        SnapshotService snapshots = new SnapshotService(jdbi, temporal, CONTROL_TASK_QUEUE, sandboxes,
                Duration.ofMinutes(1), clock);
        ProjectService projects = new ProjectService(jdbi, temporal, CONTROL_TASK_QUEUE, heartbeats,
                Duration.ofHours(1), clock);
        LivenessFactory liveness = new LivenessFactory();
        HostService hosts = new HostService(jdbi, hostTokens(), new HostLifecycle(temporal, CONTROL_TASK_QUEUE),
                liveness.buildPace(HeartbeatPace.registeredHosts(jdbi), clock),
                Duration.ofMillis(liveness.getReconcileEvery().toMilliseconds()), clock);
        BuildService builds =
                new BuildService(jdbi, temporal, CONTROL_TASK_QUEUE, Duration.ofHours(1), placement, clock);
        BuildEventStream events = new BuildEventStream(jdbi, heartbeats::runningStep, json, Duration.ofMillis(500),
                Duration.ofSeconds(15), clock);
        return ResourceExtension.builder()
                .setMapper(json)
                .setRegisterDefaultExceptionMappers(false)
                .bootstrapLogging(false)
                .addProvider(new ErrorMappers())
                .addProvider(MultiPartFeature.class)
                .addProvider(new MultipartBodyLimit(MAX_ARCHIVE_BYTES))
                .addResource(new AdminTeamResource(jdbi, authenticator, clock))
                .addResource(new HostResource(hosts, authenticator))
                .addResource(new BuildResource(builds, events, authenticator, json, MAX_ARCHIVE_BYTES))
                .addResource(new TemplateResource(templates, new TemplateVersionService(jdbi, clock), authenticator))
                .addResource(new AdminTemplateResource(templates, authenticator))
                .addResource(new SandboxResource(sandboxes, new FleetStats(jdbi, clock), authenticator))
                .addResource(new SnapshotResource(snapshots, authenticator))
                .addResource(new AdminSandboxResource(snapshots, authenticator))
                .addResource(new ProjectResource(projects, authenticator))
                .addResource(new SessionResource(projects, authenticator))
                .addResource(new OpenApiResource())
                .addResource(new MeResource(authenticator, jdbi,
                        new MeView.Settings("http://127.0.0.1:8233", "default", MAX_ARCHIVE_BYTES)))
                .build();
    }

    static HostTokens hostTokens() {
        return new HostTokens(HOST_TOKEN_SECRET, Clock.systemUTC());
    }
}
