package dev.kiln.api.core;

import static dev.kiln.api.core.Requests.require;
import static dev.kiln.api.core.Requests.requireText;
import static java.util.Objects.requireNonNull;

import dev.kiln.api.control.HeartbeatPace;
import dev.kiln.api.errors.ApiException;
import dev.kiln.api.errors.ErrorCode;
import dev.kiln.api.representation.CreateHostRequest;
import dev.kiln.api.representation.HeartbeatReply;
import dev.kiln.api.representation.HostCreated;
import dev.kiln.api.representation.HostCredentials;
import dev.kiln.api.representation.HostDeletePreview;
import dev.kiln.api.representation.HostRegistered;
import dev.kiln.api.representation.HostView;
import dev.kiln.api.representation.RegisterHostRequest;
import dev.kiln.api.representation.RegistrationToken;
import dev.kiln.db.BuildArchiveDao;
import dev.kiln.db.BuildArchiveRow;
import dev.kiln.db.BuildDao;
import dev.kiln.db.HostAuditDao;
import dev.kiln.db.HostDao;
import dev.kiln.db.HostLeaseDao;
import dev.kiln.db.HostRow;
import dev.kiln.db.HostTokenDao;
import dev.kiln.db.HostUsageRow;
import dev.kiln.db.Ids;
import dev.kiln.db.PlacementDao;
import dev.kiln.db.RefreshTokenRow;
import dev.kiln.db.SandboxDao;
import dev.kiln.db.SandboxRow;
import dev.kiln.db.TeamDao;
import dev.kiln.db.TeamRow;
import dev.kiln.model.HostStatus;
import dev.kiln.model.SandboxStatus;
import dev.kiln.workflows.host.LeaseEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/** Host creation, registration, token refresh, heartbeats, and what a host fetches for its work. */
public final class HostService {
    public static final Duration REGISTRATION_TOKEN_LIFETIME = Duration.ofHours(1);
    public static final Duration REFRESH_TOKEN_LIFETIME = Duration.ofDays(60);
    private static final int TOKEN_BYTES = 32;
    /** Sandboxes a host deletion would cut off; paused and stopped ones hold no running work. */
    private static final List<SandboxStatus> ACTIVE_SANDBOX_STATUSES =
            Arrays.stream(SandboxStatus.values()).filter(SandboxStatus::active).toList();
    private static final int ARCHIVE_CHUNK_BYTES = 1024 * 1024;

    private final Jdbi jdbi;
    private final HostTokens hostTokens;
    private final HostLifecycle lifecycle;
    private final HeartbeatPace pace;
    private final Duration reconcileEvery;
    private final Clock clock;

    /** @param reconcileEvery how often an online host is reconciled even when nothing says it changed */
    public HostService(Jdbi jdbi, HostTokens hostTokens, HostLifecycle lifecycle, HeartbeatPace pace,
            Duration reconcileEvery, Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.hostTokens = requireNonNull(hostTokens, "hostTokens is null");
        this.lifecycle = requireNonNull(lifecycle, "lifecycle is null");
        this.pace = requireNonNull(pace, "pace is null");
        this.reconcileEvery = requireNonNull(reconcileEvery, "reconcileEvery is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * @param apiUrl where the caller reached this API, which is where a host started by the returned command
     *     registers
     */
    public HostCreated create(Caller caller, CreateHostRequest request, String apiUrl) {
        String type = requireText(request.type(), "type");
        String teamId;
        switch (type) {
            case "regular" -> {
                if (!caller.admin()) {
                    throw ApiException.forbidden("only admins create regular hosts");
                }
                teamId = null;
            }
            case "byoc" -> {
                teamId = requireText(request.teamId(), "team_id");
                TeamRow team = jdbi.onDemand(TeamDao.class).findById(teamId)
                        .orElseThrow(() -> new ApiException(ErrorCode.TEAM_NOT_FOUND, "team " + teamId + " not found"));
                if (!caller.admin() && !caller.teamId().equals(teamId)) {
                    throw ApiException.forbidden("you are not a member of team " + teamId);
                }
                if (!team.byoc()) {
                    throw ApiException.forbidden("team " + teamId + " is not a BYOC team");
                }
            }
            default -> throw ApiException.badRequest("field type must be regular or byoc");
        }
        Instant now = clock.instant();
        HostRow host = new HostRow(Ids.newId("host"), type, teamId, HostStatus.PENDING, null, null, null, null, null,
                request.labels(), Map.of(), null, caller.keyId(), now, now, false);
        String token = Ids.randomTokenHex(TOKEN_BYTES);
        jdbi.useTransaction(handle -> {
            handle.attach(HostDao.class).insert(host);
            insertRegistrationToken(handle.attach(HostTokenDao.class), host.id(), token, caller, now);
        });
        return new HostCreated(HostView.of(find(host.id())), token, startCommand(apiUrl, token));
    }

    /** The demo's way of starting kiln-host (api/bin/demo.sh), with this token and API; worker-host/config.yml reads both. */
    static String startCommand(String apiUrl, String token) {
        return "KILN_API_URL=" + apiUrl + " KILN_REGISTRATION_TOKEN=" + token
                + " java -jar worker-host/target/kiln-host.jar server worker-host/config.yml";
    }

    public RegistrationToken newRegistrationToken(Caller caller, String hostId) {
        HostRow host = visible(caller, hostId);
        if (!jdbi.onDemand(HostDao.class).awaitsRegistration(hostId).orElse(false)) {
            throw new ApiException(ErrorCode.INVALID_STATE, "host " + hostId + " has registered already");
        }
        Instant now = clock.instant();
        String token = Ids.randomTokenHex(TOKEN_BYTES);
        insertRegistrationToken(jdbi.onDemand(HostTokenDao.class), hostId, token, caller, now);
        return new RegistrationToken(token, now.plus(REGISTRATION_TOKEN_LIFETIME));
    }

    private static void insertRegistrationToken(HostTokenDao tokens, String hostId, String token, Caller caller, Instant now) {
        tokens.insertRegistrationToken(Ids.newId("htok"), hostId, Ids.sha256Hex(token), caller.keyId(), now,
                now.plus(REGISTRATION_TOKEN_LIFETIME));
    }

    public HostRegistered register(RegisterHostRequest request) {
        String token = requireText(request.token(), "token");
        String arch = requireText(request.arch(), "arch");
        int cpuCores = require(request.cpuCores(), "cpu_cores");
        long memoryMb = require(request.memoryMb(), "memory_mb");
        long diskGb = require(request.diskGb(), "disk_gb");
        if (cpuCores <= 0 || memoryMb <= 0 || diskGb <= 0) {
            throw ApiException.badRequest("cpu_cores, memory_mb and disk_gb must be positive");
        }
        Instant now = clock.instant();
        // Burned in its own statement before anything else: the token is one-time even if a later step fails.
        String hostId = jdbi.onDemand(HostTokenDao.class)
                .burnRegistrationToken(Ids.sha256Hex(token), now)
                .orElseThrow(() -> ApiException.unauthorized("registration token is unknown, used or expired"));
        String refreshToken = Ids.randomTokenHex(TOKEN_BYTES);
        jdbi.useTransaction(handle -> {
            if (handle.attach(HostDao.class).markRegistered(hostId, arch, cpuCores, memoryMb, diskGb, request.address(), now) == 0) {
                throw new ApiException(ErrorCode.INVALID_STATE, "host " + hostId + " is not pending");
            }
            handle.attach(HostTokenDao.class).insertRefreshToken(Ids.newId("hrt"), hostId, Ids.sha256Hex(refreshToken),
                    now, now.plus(REFRESH_TOKEN_LIFETIME));
        });
        return new HostRegistered(HostView.of(find(hostId)), hostTokens.issue(hostId), refreshToken);
    }

    public HostCredentials refresh(String refreshToken) {
        String presented = requireText(refreshToken, "refresh_token");
        Instant now = clock.instant();
        String replacement = Ids.randomTokenHex(TOKEN_BYTES);
        String hostId = jdbi.inTransaction(handle -> {
            HostTokenDao tokens = handle.attach(HostTokenDao.class);
            RefreshTokenRow current = tokens.findActiveRefreshToken(Ids.sha256Hex(presented), now)
                    .orElseThrow(() -> ApiException.unauthorized("refresh token is unknown, revoked or expired"));
            if (!tokens.rotateRefreshToken(current, Ids.newId("hrt"), Ids.sha256Hex(replacement), now,
                    now.plus(REFRESH_TOKEN_LIFETIME))) {
                throw ApiException.unauthorized("refresh token was already used");
            }
            return current.hostId();
        });
        return new HostCredentials(hostTokens.issue(hostId), replacement);
    }

    /**
     * Renews the host's lease, in one statement, and tells the host workflow only what changed: a lease that came
     * back (the host is new or returns from an outage), or a reason to reconcile. The load goes to the hosts row
     * only when the host sent one, which it does when it changed or every few minutes.
     *
     * @param load null or empty when the host has nothing new to report
     * @param pausedSandboxes the host paused its sandboxes while cut off, so their rows need reconciling
     * @param sandboxesChanged the host's engine reported containers dying or restarting
     */
    public HeartbeatReply heartbeat(String hostToken, String hostId, Map<String, Object> load, boolean pausedSandboxes,
            boolean sandboxesChanged) {
        authenticateHost(hostToken, hostId);
        Instant now = clock.instant();
        Duration interval = pace.interval();
        HostLeaseDao.Renewal renewal = jdbi.onDemand(HostLeaseDao.class)
                .renew(hostId, now, now.plus(pace.timeout(interval)), now.minus(reconcileEvery))
                .orElseThrow(() -> ApiException.notFound("host", hostId));
        if (load != null && !load.isEmpty()) {
            jdbi.onDemand(HostDao.class).recordLoad(hostId, load, now);
        }
        if (renewal.cameBack()) {
            lifecycle.leaseRenewed(hostId, new LeaseEvent(renewal.generation(), now.toEpochMilli(), 0));
        } else if (pausedSandboxes || sandboxesChanged || renewal.reconcileDue()) {
            lifecycle.reconcile(hostId, pausedSandboxes ? "the host paused its sandboxes while cut off"
                    : sandboxesChanged ? "the host's engine reported containers dying"
                    : "periodic reconcile, every " + reconcileEvery);
        }
        return new HeartbeatReply(interval.toMillis());
    }

    public HostView setDraining(Caller caller, String hostId, boolean draining) {
        HostRow host = visible(caller, hostId);
        jdbi.useTransaction(handle -> {
            handle.attach(HostDao.class).setDraining(host.id(), draining, clock.instant());
            handle.attach(HostAuditDao.class).insert(host.id(), draining ? "drained" : "undrained", caller.keyId(), Map.of());
        });
        return HostView.of(find(hostId));
    }

    public HostDeletePreview deletePreview(Caller caller, String hostId) {
        HostRow host = visible(caller, hostId);
        return new HostDeletePreview(HostView.of(host), activeSandboxIds(hostId));
    }

    /**
     * Without force, a host with active sandboxes is refused with their ids. With force, the rows change in one
     * transaction (sandboxes stopped, refresh tokens revoked, host gone), then the host workflow destroys what is
     * left on the machine and stops kiln-host; a host that cannot be reached stops at its next heartbeat (404).
     */
    public void delete(Caller caller, String hostId, boolean force) {
        HostRow host = visible(caller, hostId);
        List<String> active = activeSandboxIds(hostId);
        if (!active.isEmpty() && !force) {
            throw new ApiException(ErrorCode.HAS_ACTIVE_SANDBOXES,
                    "host " + hostId + " has " + active.size() + " active sandboxes; delete them or pass force=true",
                    Map.of("sandbox_ids", active));
        }
        Instant now = clock.instant();
        List<String> stopped = jdbi.inTransaction(handle -> {
            List<String> stoppedOnHost = handle.attach(SandboxDao.class).markStoppedOnHost(host.id(), now);
            handle.attach(HostTokenDao.class).revokeAllRefreshTokens(host.id(), now);
            handle.attach(HostAuditDao.class).insert(host.id(), "deleted", caller.keyId(),
                    Map.of("force", force, "stopped_sandboxes", stoppedOnHost));
            handle.attach(HostDao.class).deleteById(host.id());
            return stoppedOnHost;
        });
        lifecycle.deleted(host.id(), caller.keyId());
        lifecycle.sandboxesEnded(stopped, "host " + host.id() + " was deleted");
    }

    /**
     * The archive of a build placed on this host. A build that is unknown, has no archive or runs elsewhere is the
     * same 404, so that a host learns nothing about work that is not its own.
     */
    public BuildArchiveRow archive(String hostToken, String hostId, String buildId) {
        authenticateHost(hostToken, hostId);
        boolean assigned = jdbi.onDemand(BuildDao.class).findById(buildId)
                .map(build -> hostId.equals(build.hostId()))
                .orElse(false);
        return jdbi.onDemand(BuildArchiveDao.class).findMetadata(buildId)
                .filter(archive -> assigned)
                .orElseThrow(() -> ApiException.notFound("archive of build", buildId));
    }

    /**
     * Copies the archive one slice per query, so that neither the archive nor a connection is held while a slow
     * host drains it. An archive deleted part way (its build ended) fails the copy: the host sees a body shorter
     * than its Content-Length, never a silently truncated archive.
     */
    public void writeArchive(BuildArchiveRow archive, OutputStream output) throws IOException {
        BuildArchiveDao archives = jdbi.onDemand(BuildArchiveDao.class);
        for (long offset = 0; offset < archive.sizeBytes(); offset += ARCHIVE_CHUNK_BYTES) {
            byte[] chunk = archives.findChunk(archive.buildId(), Math.toIntExact(offset), ARCHIVE_CHUNK_BYTES)
                    .orElseThrow(() -> new IOException("the archive of build " + archive.buildId() + " was deleted"));
            output.write(chunk);
        }
    }

    private void authenticateHost(String hostToken, String hostId) {
        String tokenHostId = hostTokens.verify(hostToken)
                .orElseThrow(() -> ApiException.unauthorized("a valid host token is required: X-Host-Token"));
        if (!tokenHostId.equals(hostId)) {
            throw ApiException.forbidden("this host token belongs to another host");
        }
    }

    private List<String> activeSandboxIds(String hostId) {
        return jdbi.onDemand(SandboxDao.class).listOnHost(hostId, ACTIVE_SANDBOX_STATUSES).stream()
                .map(SandboxRow::id)
                .toList();
    }

    public List<HostView> list(Caller caller) {
        Map<String, HostView.Committed> committed = committed();
        return jdbi.onDemand(HostDao.class).list().stream()
                .filter(host -> canSee(caller, host))
                .map(host -> HostView.of(host, committed.getOrDefault(host.id(), HostView.Committed.NONE)))
                .toList();
    }

    public HostView get(Caller caller, String hostId) {
        HostRow host = visible(caller, hostId);
        return HostView.of(host, committed().getOrDefault(host.id(), HostView.Committed.NONE));
    }

    private Map<String, HostView.Committed> committed() {
        return jdbi.onDemand(PlacementDao.class).usage().stream()
                .collect(Collectors.toMap(HostUsageRow::hostId, HostView.Committed::of));
    }

    private HostRow visible(Caller caller, String hostId) {
        return jdbi.onDemand(HostDao.class).findById(hostId)
                .filter(host -> canSee(caller, host))
                .orElseThrow(() -> ApiException.notFound("host", hostId));
    }

    /** Admins see and manage every host; a team only its own BYOC hosts. */
    private static boolean canSee(Caller caller, HostRow host) {
        return caller.admin() || caller.teamId().equals(host.teamId());
    }

    private HostRow find(String hostId) {
        return jdbi.onDemand(HostDao.class).findById(hostId).orElseThrow(() -> ApiException.notFound("host", hostId));
    }
}
