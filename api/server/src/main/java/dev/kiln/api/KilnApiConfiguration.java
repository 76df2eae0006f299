package dev.kiln.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.util.Duration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.EnumSet;
import java.util.Set;

public class KilnApiConfiguration extends Configuration {

    /** One binary, three shapes: API only, control worker only, or both (the default). */
    public enum Role { API, WORKER }

    @Valid
    @NotNull
    private DataSourceFactory database = new DataSourceFactory();

    @Valid
    @NotNull
    private TemporalFactory temporal = new TemporalFactory();

    /** Seeded as an admin key of the platform team at every start; empty seeds nothing. */
    private String adminKey = "";

    /** Signs host JWTs. Every kiln-api replica must share it. */
    @NotNull
    @Size(min = 32)
    private String hostTokenSecret;

    @Valid
    @NotNull
    private LivenessFactory liveness = new LivenessFactory();

    @NotNull
    private Set<Role> roles = EnumSet.allOf(Role.class);

    /** Where operators open the Temporal Web UI; the console links each build to its workflow there. */
    @NotEmpty
    private String temporalUiUrl = "http://127.0.0.1:8233";

    @JsonProperty
    public String getTemporalUiUrl() {
        return temporalUiUrl;
    }

    @JsonProperty
    public void setTemporalUiUrl(String temporalUiUrl) {
        this.temporalUiUrl = temporalUiUrl;
    }

    /**
     * The largest archive a build may upload. The API holds an upload in memory while storing it, and PostgreSQL
     * holds it in one bytea until the build ends, hence the ceiling.
     */
    @Min(1)
    @Max(512L * 1024 * 1024)
    private long maxArchiveBytes = 100L * 1024 * 1024;

    @JsonProperty
    public long getMaxArchiveBytes() {
        return maxArchiveBytes;
    }

    @JsonProperty
    public void setMaxArchiveBytes(long maxArchiveBytes) {
        this.maxArchiveBytes = maxArchiveBytes;
    }

    /** A build, queueing included, that has not finished by then fails and is cleaned up. */
    @NotNull
    private Duration buildDeadline = Duration.hours(1);

    @JsonProperty
    public Duration getBuildDeadline() {
        return buildDeadline;
    }

    @JsonProperty
    public void setBuildDeadline(Duration buildDeadline) {
        this.buildDeadline = buildDeadline;
    }

    /**
     * One deadline for a golden build on a host, end to end: the host kills the warm-up script at it, and the
     * workflow's timeout is derived from it (the reference had 30 min in one place and 6 h in another).
     */
    @NotNull
    private Duration goldenBuildDeadline = Duration.hours(1);

    @JsonProperty
    public Duration getGoldenBuildDeadline() {
        return goldenBuildDeadline;
    }

    @JsonProperty
    public void setGoldenBuildDeadline(Duration goldenBuildDeadline) {
        this.goldenBuildDeadline = goldenBuildDeadline;
    }

    @JsonProperty
    public DataSourceFactory getDatabase() {
        return database;
    }

    @JsonProperty
    public void setDatabase(DataSourceFactory database) {
        this.database = database;
    }

    @JsonProperty
    public TemporalFactory getTemporal() {
        return temporal;
    }

    @JsonProperty
    public void setTemporal(TemporalFactory temporal) {
        this.temporal = temporal;
    }

    @JsonProperty
    public String getAdminKey() {
        return adminKey;
    }

    @JsonProperty
    public void setAdminKey(String adminKey) {
        this.adminKey = adminKey;
    }

    @JsonProperty
    public String getHostTokenSecret() {
        return hostTokenSecret;
    }

    @JsonProperty
    public void setHostTokenSecret(String hostTokenSecret) {
        this.hostTokenSecret = hostTokenSecret;
    }

    @JsonProperty
    public LivenessFactory getLiveness() {
        return liveness;
    }

    @JsonProperty
    public void setLiveness(LivenessFactory liveness) {
        this.liveness = liveness;
    }

    @JsonProperty
    public Set<Role> getRoles() {
        return roles;
    }

    @JsonProperty
    public void setRoles(Set<Role> roles) {
        this.roles = roles;
    }
}
