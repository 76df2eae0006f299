package dev.kiln.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import dev.kiln.activities.docker.ArchiveSource;
import dev.kiln.activities.docker.BaseImages;
import dev.kiln.activities.docker.BuildSandboxHostActivitiesImpl;
import dev.kiln.activities.docker.StepCacheBounds;
import dev.kiln.activities.docker.DockerClients;
import dev.kiln.activities.docker.HostLabels;
import dev.kiln.activities.docker.LifecycleHostActivitiesImpl;
import dev.kiln.activities.docker.SandboxHostActivitiesImpl;
import dev.kiln.activities.golden.GoldenHostActivitiesImpl;
import dev.kiln.activities.sampler.SandboxSampler;
import dev.kiln.workflows.TaskQueues;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** kiln-host: registers this machine, heartbeats, and runs the activities scheduled on {@code host-<id>}. */
public class KilnHostApplication extends Application<KilnHostConfiguration> {
    private static final Logger LOG = LoggerFactory.getLogger(KilnHostApplication.class);
    /** Exit status when the API deleted this host: a supervisor should not restart it with the same state. */
    static final int EXIT_HOST_DELETED = 3;

    /**
     * Cancellation reaches an activity only through a heartbeat round trip; the SDK otherwise throttles
     * heartbeats to 80% of the heartbeat timeout (24 s), which would make a cancelled step linger that long. The
     * heartbeat is also how a running step's output and a golden build's write rate reach kiln-api, which should
     * see them within a second or two.
     */
    private static final Duration HEARTBEAT_THROTTLE = Duration.ofSeconds(1);

    public static void main(String[] args) throws Exception {
        new KilnHostApplication().run(args);
    }

    @Override
    public String getName() {
        return "kiln-host";
    }

    @Override
    public void initialize(Bootstrap<KilnHostConfiguration> bootstrap) {
        bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider(
                bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)));
    }

    @Override
    public void run(KilnHostConfiguration configuration, Environment environment) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Path stateDir = Path.of(configuration.getStateDir());
        CredentialsStore store = new CredentialsStore(stateDir, json);
        ApiClient api = new ApiClient(configuration.getApiUrl(), json);
        HostCredentials credentials = loadOrRegister(configuration, store, api, stateDir);
        LOG.info("running as host {}", credentials.hostId());

        DockerClient docker = DockerClients.create(configuration.getDockerHost());
        HostLabels labels = new HostLabels(credentials.hostId());
        BaseImages.ensureMinimal(docker, configuration.getMinimalImage());
        if (configuration.isRequireDebianBase()) {
            BaseImages.requirePresent(docker, BaseImages.DEBIAN_IMAGE, "make it with scripts/make-debian-base.sh");
        }
        // Exits from its own thread so that the activity or heartbeat that learned of the deletion can finish first.
        LifecycleHostActivitiesImpl agent = new LifecycleHostActivitiesImpl(docker, labels, () -> {
            LOG.info("kiln-api deleted this host: credentials wiped, exiting");
            store.wipe();
            new Thread(() -> System.exit(EXIT_HOST_DELETED), "kiln-host-exit").start();
        });
        Heartbeater heartbeater = new Heartbeater(api, store, credentials,
                () -> HostFacts.load(stateDir, docker, labels),
                Duration.ofMillis(configuration.getHeartbeatInterval().toMilliseconds()), Clock.systemUTC(),
                agent::shutDown, () -> SandboxPauser.pauseAll(docker, labels));
        // The heartbeater refreshes the host token; downloads use whichever token is current.
        ArchiveSource archives = buildId -> {
            try {
                return api.downloadArchive(heartbeater.currentCredentials(), buildId);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while downloading the archive of build " + buildId);
            }
        };

        HostMetrics metrics = HostMetrics.install(environment);
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                .setTarget(configuration.getTemporalTarget())
                .setMetricsScope(metrics.temporalScope())
                .build());
        WorkflowClient client = WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder()
                .setNamespace(configuration.getTemporalNamespace())
                .setIdentity("kiln-host@" + credentials.hostId())
                .build());
        WorkerFactory factory = WorkerFactory.newInstance(client);
        Worker worker = factory.newWorker(TaskQueues.host(credentials.hostId()), WorkerOptions.newBuilder()
                .setMaxHeartbeatThrottleInterval(HEARTBEAT_THROTTLE)
                .build());
        SandboxSampler sampler = new SandboxSampler(docker, labels);
        StepCacheBounds cacheBounds = new StepCacheBounds(
                Duration.ofMillis(configuration.getStepCacheMaxAge().toMilliseconds()),
                configuration.getStepCacheMaxSize().toBytes());
        worker.registerActivitiesImplementations(
                new BuildSandboxHostActivitiesImpl(docker, labels, archives, cacheBounds, Clock.systemUTC()),
                new SandboxHostActivitiesImpl(docker, labels, sampler), agent,
                new GoldenHostActivitiesImpl(stateDir.resolve("golden"), docker, Clock.systemUTC(), metrics));
        environment.lifecycle().manage(new Managed() {
            @Override
            public void start() {
                factory.start();
            }

            @Override
            public void stop() throws IOException {
                factory.shutdown();
                factory.awaitTermination(20, TimeUnit.SECONDS);
                stubs.shutdown();
                docker.close();
            }
        });
        // Managed after the worker: Dropwizard stops in reverse order, so sampling ends before the docker client
        // the worker's stop closes.
        environment.lifecycle().manage(new Managed() {
            @Override
            public void start() {
                sampler.start();
            }

            @Override
            public void stop() {
                sampler.close();
            }
        });

        environment.lifecycle().manage(heartbeater);
        environment.lifecycle().manage(new EngineWatch(docker, labels, heartbeater::sandboxesChanged));
    }

    private static HostCredentials loadOrRegister(
            KilnHostConfiguration configuration, CredentialsStore store, ApiClient api, Path stateDir)
            throws IOException, InterruptedException {
        var saved = store.load();
        if (saved.isPresent()) {
            return saved.get();
        }
        String token = configuration.getRegistrationToken();
        if (token == null || token.isBlank()) {
            throw new IllegalStateException("no saved credentials in " + store.file()
                    + " and no registration token: set KILN_REGISTRATION_TOKEN for the first start");
        }
        HostCredentials registered = api.register(token, HostFacts.capacity(stateDir, configuration.getAddress()));
        store.save(registered);
        return registered;
    }
}
