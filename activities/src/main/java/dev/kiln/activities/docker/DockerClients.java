package dev.kiln.activities.docker;

import static java.util.Objects.requireNonNull;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/** Builds the Docker client the sandbox activities use. */
public final class DockerClients {

    /**
     * Short: an engine that does not accept a connection within seconds is down, and the activity should fail fast
     * and retry. (Connecting to a unix socket succeeds or fails at once; this bounds tcp:// hosts.)
     */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    /**
     * None (zero means wait forever in HttpClient 5). The response timeout is an idle timeout on the socket, and
     * an exec's attached output stream is silent for as long as the step prints nothing, which for a compile can
     * be many minutes; commits of large sandboxes also answer only when done. How long a workflow waits on any
     * call is already bounded by its activity's start-to-close and heartbeat timeouts. (On unix:// hosts
     * docker-java's socket channel ignores socket timeouts anyway; this matters for tcp:// hosts.)
     */
    private static final Duration RESPONSE_TIMEOUT = Duration.ZERO;

    /** Each client's engine address, for {@link LayerImport}, which reaches the engine without docker-java. */
    private static final Map<DockerClient, URI> ENGINES = Collections.synchronizedMap(new WeakHashMap<>());

    private DockerClients() {}

    /**
     * @param dockerHost e.g. {@code unix:///var/run/docker.sock}. No API version is pinned: docker-java then calls
     *     unversioned paths, which the engine serves at its own version (1.41 on Debian's 20.10), and every call
     *     the activities make exists there.
     */
    public static DockerClient create(String dockerHost) {
        requireNonNull(dockerHost, "dockerHost is null");
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(dockerHost)
                .build();
        ApacheDockerHttpClient httpClient = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .connectionTimeout(CONNECT_TIMEOUT)
                .responseTimeout(RESPONSE_TIMEOUT)
                .build();
        DockerClient client = DockerClientImpl.getInstance(config, httpClient);
        if (config.getSSLConfig() == null) {
            ENGINES.put(client, config.getDockerHost());
        }
        return client;
    }

    /**
     * The address of the engine {@code docker} talks to. It must have been made by {@link #create}, without TLS
     * (DOCKER_TLS_VERIFY), which LayerImport does not speak.
     */
    static URI engineOf(DockerClient docker) {
        URI engine = ENGINES.get(docker);
        if (engine == null) {
            throw new IllegalStateException("flattening needs a plain connection to the engine, and " + docker
                    + " was not made by DockerClients.create or talks TLS");
        }
        return engine;
    }
}
