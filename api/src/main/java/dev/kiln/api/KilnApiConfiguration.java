package dev.kiln.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.util.Duration;
import jakarta.validation.Valid;
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

    /** A host silent for longer than this gets no new work. */
    @NotNull
    private Duration hostHeartbeatTimeout = Duration.seconds(90);

    @NotNull
    private Set<Role> roles = EnumSet.allOf(Role.class);

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
    public Duration getHostHeartbeatTimeout() {
        return hostHeartbeatTimeout;
    }

    @JsonProperty
    public void setHostHeartbeatTimeout(Duration hostHeartbeatTimeout) {
        this.hostHeartbeatTimeout = hostHeartbeatTimeout;
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
