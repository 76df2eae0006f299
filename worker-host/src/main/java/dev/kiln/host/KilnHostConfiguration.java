package dev.kiln.host;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;

public class KilnHostConfiguration extends Configuration {
    @NotEmpty
    private String apiUrl = "http://127.0.0.1:8080";

    @NotEmpty
    private String temporalTarget = "127.0.0.1:7233";

    @NotEmpty
    private String temporalNamespace = "default";

    /** Holds host-credentials.json (mode 0600). */
    @NotEmpty
    private String stateDir = "/var/lib/kiln-host";

    /** One-time token; needed only for the first start (or after the API forgot this host). */
    private String registrationToken = "";

    @NotEmpty
    private String dockerHost = "unix:///var/run/docker.sock";

    /** Reported to the API so operators can find the machine; optional. */
    private String address = "";

    @NotEmpty
    private String minimalImage = "kiln/minimal:latest";

    @NotNull
    private Duration heartbeatInterval = Duration.seconds(30);

    /** The step cache's bounds, applied at each garbage collection: images older than this go first. */
    @NotNull
    private Duration stepCacheMaxAge = Duration.days(7);

    /** Then the oldest images go until the rest take no more than this. */
    @NotNull
    private DataSize stepCacheMaxSize = DataSize.gibibytes(10);

    /** Refuse to start without the Debian base image, on hosts whose builds need it (it is made at setup). */
    private boolean requireDebianBase;

    @JsonProperty
    public String getApiUrl() {
        return apiUrl;
    }

    @JsonProperty
    public void setApiUrl(String apiUrl) {
        this.apiUrl = apiUrl;
    }

    @JsonProperty
    public String getTemporalTarget() {
        return temporalTarget;
    }

    @JsonProperty
    public void setTemporalTarget(String temporalTarget) {
        this.temporalTarget = temporalTarget;
    }

    @JsonProperty
    public String getTemporalNamespace() {
        return temporalNamespace;
    }

    @JsonProperty
    public void setTemporalNamespace(String temporalNamespace) {
        this.temporalNamespace = temporalNamespace;
    }

    @JsonProperty
    public String getStateDir() {
        return stateDir;
    }

    @JsonProperty
    public void setStateDir(String stateDir) {
        this.stateDir = stateDir;
    }

    @JsonProperty
    public String getRegistrationToken() {
        return registrationToken;
    }

    @JsonProperty
    public void setRegistrationToken(String registrationToken) {
        this.registrationToken = registrationToken;
    }

    @JsonProperty
    public String getDockerHost() {
        return dockerHost;
    }

    @JsonProperty
    public void setDockerHost(String dockerHost) {
        this.dockerHost = dockerHost;
    }

    @JsonProperty
    public String getAddress() {
        return address;
    }

    @JsonProperty
    public void setAddress(String address) {
        this.address = address;
    }

    @JsonProperty
    public String getMinimalImage() {
        return minimalImage;
    }

    @JsonProperty
    public void setMinimalImage(String minimalImage) {
        this.minimalImage = minimalImage;
    }

    @JsonProperty
    public Duration getHeartbeatInterval() {
        return heartbeatInterval;
    }

    @JsonProperty
    public void setHeartbeatInterval(Duration heartbeatInterval) {
        this.heartbeatInterval = heartbeatInterval;
    }

    @JsonProperty
    public boolean isRequireDebianBase() {
        return requireDebianBase;
    }

    @JsonProperty
    public void setRequireDebianBase(boolean requireDebianBase) {
        this.requireDebianBase = requireDebianBase;
    }

    @JsonProperty
    public Duration getStepCacheMaxAge() {
        return stepCacheMaxAge;
    }

    @JsonProperty
    public void setStepCacheMaxAge(Duration stepCacheMaxAge) {
        this.stepCacheMaxAge = stepCacheMaxAge;
    }

    @JsonProperty
    public DataSize getStepCacheMaxSize() {
        return stepCacheMaxSize;
    }

    @JsonProperty
    public void setStepCacheMaxSize(DataSize stepCacheMaxSize) {
        this.stepCacheMaxSize = stepCacheMaxSize;
    }
}
