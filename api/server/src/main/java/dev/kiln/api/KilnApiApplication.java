package dev.kiln.api;

import dev.kiln.api.control.BuildRecordActivitiesImpl;
import dev.kiln.api.control.GoldenRecordActivitiesImpl;
import dev.kiln.api.control.HeartbeatPace;
import dev.kiln.api.control.HostPlacement;
import dev.kiln.api.control.HostRecordActivitiesImpl;
import dev.kiln.api.control.HostScheduler;
import dev.kiln.api.control.LeaseSweepActivitiesImpl;
import dev.kiln.api.control.SandboxRecordActivitiesImpl;
import dev.kiln.api.control.SnapshotRecordActivitiesImpl;
import dev.kiln.api.control.TemplateRecordActivitiesImpl;
import dev.kiln.api.core.Authenticator;
import dev.kiln.api.core.BuildEventStream;
import dev.kiln.api.core.BuildService;
import dev.kiln.api.core.FleetStats;
import dev.kiln.api.core.FleetStatsSampler;
import dev.kiln.api.core.GoldenGcSchedule;
import dev.kiln.api.core.HostLifecycle;
import dev.kiln.api.core.HostService;
import dev.kiln.api.core.HostTokens;
import dev.kiln.api.core.LeaseSweeper;
import dev.kiln.api.core.PendingActivityHeartbeats;
import dev.kiln.api.core.ProjectService;
import dev.kiln.api.core.SandboxService;
import dev.kiln.api.core.SnapshotService;
import dev.kiln.api.core.TemplateService;
import dev.kiln.api.core.TemplateVersionService;
import dev.kiln.api.core.TemporalWorkers;
import dev.kiln.api.errors.ErrorMappers;
import dev.kiln.api.errors.JsonErrorHandler;
import dev.kiln.api.health.TemporalHealthCheck;
import dev.kiln.api.health.UnhealthyIsUnavailable;
import dev.kiln.api.metrics.ApiMetrics;
import dev.kiln.api.representation.MeView;
import dev.kiln.api.resources.AdminSandboxResource;
import dev.kiln.api.resources.AdminTeamResource;
import dev.kiln.api.resources.AdminTemplateResource;
import dev.kiln.api.resources.BuildResource;
import dev.kiln.api.resources.HostResource;
import dev.kiln.api.resources.MeResource;
import dev.kiln.api.resources.MultipartBodyLimit;
import dev.kiln.api.resources.OpenApiResource;
import dev.kiln.api.resources.ProjectResource;
import dev.kiln.api.resources.SandboxResource;
import dev.kiln.api.resources.SessionResource;
import dev.kiln.api.resources.SnapshotResource;
import dev.kiln.api.resources.TemplateResource;
import dev.kiln.db.ApiKeyDao;
import dev.kiln.db.Ids;
import dev.kiln.db.Jdbis;
import dev.kiln.db.Migrations;
import dev.kiln.workflows.ActivitySummaries;
import dev.kiln.workflows.build.TemplateBuildWorkflowImpl;
import dev.kiln.workflows.golden.GoldenClearWorkflowImpl;
import dev.kiln.workflows.golden.GoldenGcWorkflowImpl;
import dev.kiln.workflows.golden.GoldenHostBuildWorkflowImpl;
import dev.kiln.workflows.golden.GoldenWorkflowImpl;
import dev.kiln.workflows.golden.SessionWorkflowImpl;
import dev.kiln.workflows.host.HostWorkflowImpl;
import dev.kiln.workflows.host.LeaseSweeperWorkflowImpl;
import dev.kiln.workflows.sandbox.SandboxWorkflowImpl;
import dev.kiln.workflows.snapshot.SnapshotWorkflowImpl;
import dev.kiln.workflows.template.TemplateImagesWorkflowImpl;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.jdbi3.JdbiFactory;
import io.dropwizard.lifecycle.Managed;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import jakarta.servlet.DispatcherType;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.LifeCycle;
import org.glassfish.jersey.media.multipart.MultiPartFeature;
import org.glassfish.jersey.server.ServerProperties;
import org.jdbi.v3.core.Jdbi;

public class KilnApiApplication extends Application<KilnApiConfiguration> {
    /** How fresh a build's event stream is; each subscriber costs two small queries per interval. */
    private static final Duration EVENT_POLL_INTERVAL = Duration.ofMillis(500);
    /** Under the 30 to 60 s idle timeouts of common proxies and load balancers. */
    private static final Duration EVENT_KEEP_ALIVE_INTERVAL = Duration.ofSeconds(15);

    /** Snapshots of many gigabytes take minutes; past this the caller gets 504 and finds the template listed later. */
    private static final Duration SNAPSHOT_PATIENCE = Duration.ofMinutes(15);

    public static void main(String[] args) throws Exception {
        new KilnApiApplication().run(args);
    }

    @Override
    public String getName() {
        return "kiln-api";
    }

    @Override
    public void initialize(Bootstrap<KilnApiConfiguration> bootstrap) {
        // ${KILN_ADMIN_KEY} and friends in the YAML come from the environment; strict=false allows defaults.
        bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider(
                bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)));
    }

    @Override
    public void run(KilnApiConfiguration configuration, Environment environment) {
        Clock clock = Clock.systemUTC();
        ApiJson.configure(environment.getObjectMapper());
        // Errors Jetty answers before Jersey sees the request (a bad URI, headers too large) carry the API's JSON body.
        // The contexts have no error handler of their own, so the server's answers for both ports; Dropwizard sets
        // its own there while it builds the server, hence the swap as the server starts.
        JsonErrorHandler errorHandler = new JsonErrorHandler(environment.getObjectMapper());
        environment.lifecycle().addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStarting(LifeCycle server) {
                ((Server) server).setErrorHandler(errorHandler);
            }
        });

        DataSourceFactory database = configuration.getDatabase();
        // Migrate before anything reads: the schema the code expects exists or the process does not start.
        Migrations.migrate(database.getUrl(), database.getUser(), database.getPassword());
        // JdbiFactory also registers the "postgresql" health check (the pool's validation query).
        Jdbi jdbi = Jdbis.configure(new JdbiFactory().build(environment, database, "postgresql"));
        seedAdminKey(jdbi, configuration.getAdminKey());
        ApiMetrics metrics = ApiMetrics.install(environment, jdbi,
                Duration.ofMillis(configuration.getBuildDeadline().toMilliseconds()), clock);

        TemporalFactory temporalConfig = configuration.getTemporal();
        WorkflowServiceStubs stubs = temporalConfig.buildStubs(metrics.temporalScope());
        WorkflowClient workerClient = temporalConfig.buildClient(stubs, "kiln-api@" + hostname());
        WorkerFactory workers = WorkerFactory.newInstance(workerClient,
                WorkerFactoryOptions.newBuilder().setWorkerInterceptors(new ActivitySummaries()).build());
        // The routes' own client, which gives up on a Temporal that does not answer while the caller still waits.
        WorkflowServiceStubs requestStubs = temporalConfig.buildRequestStubs(metrics.temporalScope());
        WorkflowClient temporal = temporalConfig.buildClient(requestStubs, "kiln-api@" + hostname());
        environment.lifecycle().manage(new Managed() {
            @Override
            public void stop() {
                requestStubs.shutdown();
            }
        });
        boolean runWorkers = configuration.getRoles().contains(KilnApiConfiguration.Role.WORKER);
        LivenessFactory liveness = configuration.getLiveness();
        HeartbeatPace pace = liveness.buildPace(HeartbeatPace.registeredHosts(jdbi), clock);
        Duration sweepInterval = LivenessFactory.java(liveness.getSweepInterval());
        HostLifecycle hostLifecycle = new HostLifecycle(temporal, temporalConfig.getControlTaskQueue());
        HostPlacement placement = new HostPlacement(jdbi, clock, new HostScheduler(HostScheduler.Policy.DEFAULT));
        if (runWorkers) {
            Worker control = workers.newWorker(temporalConfig.getControlTaskQueue());
            control.registerWorkflowImplementationTypes(TemplateBuildWorkflowImpl.class, HostWorkflowImpl.class,
                    SandboxWorkflowImpl.class, SnapshotWorkflowImpl.class, TemplateImagesWorkflowImpl.class,
                    GoldenWorkflowImpl.class, GoldenHostBuildWorkflowImpl.class, SessionWorkflowImpl.class,
                    GoldenClearWorkflowImpl.class, GoldenGcWorkflowImpl.class, LeaseSweeperWorkflowImpl.class);
            control.registerActivitiesImplementations(
                    new BuildRecordActivitiesImpl(jdbi, clock, placement, metrics.records()),
                    new HostRecordActivitiesImpl(jdbi, clock),
                    new SandboxRecordActivitiesImpl(jdbi, clock),
                    new SnapshotRecordActivitiesImpl(jdbi, clock, temporalConfig.getControlTaskQueue()),
                    new TemplateRecordActivitiesImpl(jdbi),
                    new GoldenRecordActivitiesImpl(jdbi, clock, metrics.records()),
                    new LeaseSweepActivitiesImpl(jdbi, hostLifecycle, pace, sweepInterval, clock));
        }
        environment.lifecycle().manage(new TemporalWorkers(workers, stubs, runWorkers));
        if (runWorkers) {
            environment.lifecycle().manage(new GoldenGcSchedule(workerClient, temporalConfig.getControlTaskQueue()));
            environment.lifecycle().manage(new LeaseSweeper(workerClient, temporalConfig.getControlTaskQueue(), jdbi,
                    pace, sweepInterval, clock));
        }
        PendingActivityHeartbeats heartbeats = new PendingActivityHeartbeats(temporal);

        environment.healthChecks().register("temporal", new TemporalHealthCheck(stubs));
        environment.admin().addFilter("unhealthy-is-unavailable", new UnhealthyIsUnavailable())
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/healthcheck");

        // Jersey holds back the first 8 KiB of every response to compute its Content-Length and ignores flush()
        // until then, which would hold back a build's event stream. Without it, responses that do not set their
        // Content-Length themselves (archive downloads do) go out chunked.
        environment.jersey().property(ServerProperties.OUTBOUND_CONTENT_LENGTH_BUFFER, 0);
        environment.jersey().register(new ErrorMappers());

        if (configuration.getRoles().contains(KilnApiConfiguration.Role.API)) {
            Authenticator authenticator = new Authenticator(jdbi);
            HostTokens hostTokens = new HostTokens(configuration.getHostTokenSecret(), clock);
            environment.jersey().register(new AdminTeamResource(jdbi, authenticator, clock));
            environment.jersey().register(new HostResource(new HostService(jdbi, hostTokens, hostLifecycle, pace,
                    LivenessFactory.java(liveness.getReconcileEvery()), clock), authenticator));
            BuildService builds = new BuildService(jdbi, temporal, temporalConfig.getControlTaskQueue(),
                    Duration.ofMillis(configuration.getBuildDeadline().toMilliseconds()), placement, clock);
            BuildEventStream events = new BuildEventStream(jdbi, heartbeats::runningStep,
                    environment.getObjectMapper(), EVENT_POLL_INTERVAL, EVENT_KEEP_ALIVE_INTERVAL, clock);
            environment.jersey().register(new BuildResource(builds, events, authenticator, environment.getObjectMapper(),
                    configuration.getMaxArchiveBytes()));
            environment.lifecycle().addEventListener(new LifeCycle.Listener() {
                @Override
                public void lifeCycleStopping(LifeCycle server) {
                    events.close();
                }
            });
            environment.jersey().register(MultiPartFeature.class);
            environment.jersey().register(new MultipartBodyLimit(configuration.getMaxArchiveBytes()));
            TemplateService templates = new TemplateService(jdbi, temporal, temporalConfig.getControlTaskQueue());
            environment.jersey().register(new TemplateResource(templates, new TemplateVersionService(jdbi, clock),
                    authenticator));
            environment.jersey().register(new AdminTemplateResource(templates, authenticator));
            SandboxService sandboxes =
                    new SandboxService(jdbi, temporal, temporalConfig.getControlTaskQueue(), placement, clock);
            environment.jersey().register(new SandboxResource(sandboxes, new FleetStats(jdbi, clock), authenticator));
            SnapshotService snapshots = new SnapshotService(jdbi, temporal, temporalConfig.getControlTaskQueue(),
                    sandboxes, SNAPSHOT_PATIENCE, clock);
            environment.jersey().register(new SnapshotResource(snapshots, authenticator));
            environment.jersey().register(new AdminSandboxResource(snapshots, authenticator));
            ProjectService projects = new ProjectService(jdbi, temporal, temporalConfig.getControlTaskQueue(), heartbeats,
                    Duration.ofMillis(configuration.getGoldenBuildDeadline().toMilliseconds()), clock);
            environment.jersey().register(new ProjectResource(projects, authenticator));
            environment.jersey().register(new SessionResource(projects, authenticator));
            environment.jersey().register(new OpenApiResource());
            new ConsoleAssets().run(configuration, environment);
            environment.jersey().register(new MeResource(authenticator, jdbi, new MeView.Settings(
                    configuration.getTemporalUiUrl(), temporalConfig.getNamespace(), configuration.getMaxArchiveBytes())));
            environment.lifecycle().manage(new FleetStatsSampler(jdbi, clock));
        }
    }

    private static void seedAdminKey(Jdbi jdbi, String adminKey) {
        if (adminKey == null || adminKey.isBlank()) {
            return;
        }
        // Keyed by the hash, so every start (and every replica) seeds the same row once.
        jdbi.onDemand(ApiKeyDao.class).insertIfAbsent(seededAdminKeyId(adminKey), Ids.PLATFORM_TEAM_ID,
                "seeded admin key", Ids.sha256Hex(adminKey), true);
    }

    /** The id of the key seeded from KILN_ADMIN_KEY: derived from its hash, so it is stable across restarts. */
    static String seededAdminKeyId(String adminKey) {
        return "key-admin-" + Ids.sha256Hex(adminKey).substring(0, 20);
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }
}
