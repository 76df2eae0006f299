package dev.kiln.api.core;

import static dev.kiln.api.core.Requests.requireText;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.errors.ApiException;
import dev.kiln.api.errors.ErrorCode;
import dev.kiln.api.representation.GoldenTriggered;
import dev.kiln.api.representation.GoldenView;
import dev.kiln.api.representation.ProjectView;
import dev.kiln.api.representation.PutProjectRequest;
import dev.kiln.api.representation.SessionView;
import dev.kiln.api.representation.StartSessionRequest;
import dev.kiln.api.representation.WriteRateView;
import dev.kiln.db.GoldenBuildRow;
import dev.kiln.db.GoldenHostRow;
import dev.kiln.db.HostDao;
import dev.kiln.db.HostRow;
import dev.kiln.db.Ids;
import dev.kiln.db.ProjectDao;
import dev.kiln.db.ProjectRow;
import dev.kiln.db.SessionRow;
import dev.kiln.model.GoldenBuildStatus;
import dev.kiln.model.GoldenStatus;
import dev.kiln.model.SessionStatus;
import dev.kiln.workflows.FailureType;
import dev.kiln.workflows.SearchAttributeKeys;
import dev.kiln.workflows.golden.GoldenClearWorkflow;
import dev.kiln.workflows.golden.GoldenInput;
import dev.kiln.workflows.golden.GoldenProgress;
import dev.kiln.workflows.golden.GoldenWorkflow;
import dev.kiln.workflows.golden.SessionInput;
import dev.kiln.workflows.golden.SessionWorkflow;
import dev.kiln.workflows.golden.WriteRateSample;
import dev.kiln.workflows.golden.WriteRateSeries;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Projects, their golden Docker caches on each host, and the dev sessions started from them. */
public final class ProjectService {
    private static final Logger LOG = LoggerFactory.getLogger(ProjectService.class);
    private static final ObjectMapper STORED = new ObjectMapper();
    private static final Duration CLEAR_PATIENCE = Duration.ofMinutes(2);
    /** Sessions listed per project: the live ones and the recent past, enough for a page. */
    private static final int SESSION_LIST_LIMIT = 50;

    private final Jdbi jdbi;
    private final WorkflowClient temporal;
    private final String controlTaskQueue;
    private final PendingActivityHeartbeats heartbeats;
    private final Duration buildDeadline;
    private final Clock clock;

    /**
     * @param buildDeadline bounds each host's golden build end to end
     */
    public ProjectService(Jdbi jdbi, WorkflowClient temporal, String controlTaskQueue,
            PendingActivityHeartbeats heartbeats, Duration buildDeadline, Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.temporal = requireNonNull(temporal, "temporal is null");
        this.controlTaskQueue = requireNonNull(controlTaskQueue, "controlTaskQueue is null");
        this.heartbeats = requireNonNull(heartbeats, "heartbeats is null");
        this.buildDeadline = requireNonNull(buildDeadline, "buildDeadline is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public ProjectView put(Caller caller, String id, PutProjectRequest request) {
        if (!SafeNames.isSafe(id)) {
            throw ApiException.badRequest("a project id must match [a-zA-Z0-9][a-zA-Z0-9._-]{0,63}");
        }
        String name = requireText(request.name(), "name");
        String script = requireText(request.warmupScript(), "warmup_script");
        boolean autoWarm = Boolean.TRUE.equals(request.autoWarm());
        ProjectDao projects = jdbi.onDemand(ProjectDao.class);
        String previousScript = projects.findById(id).map(ProjectRow::warmupScript).orElse(null);
        ProjectRow project = projects.upsert(id, caller.teamId(), name, script, autoWarm, clock.instant())
                .orElseThrow(() -> new ApiException(ErrorCode.PROJECT_ID_TAKEN, "project id " + id + " is used by another team"));
        if (autoWarm && !script.equals(previousScript) && !placeable().isEmpty()) {
            trigger(project, caller.keyId());
        }
        return ProjectView.of(project);
    }

    public List<ProjectView> list(Caller caller) {
        return jdbi.onDemand(ProjectDao.class).listForTeam(caller.teamId()).stream().map(ProjectView::of).toList();
    }

    public GoldenTriggered build(Caller caller, String id) {
        ProjectRow project = owned(caller, id);
        List<HostRow> hosts = placeable();
        if (hosts.isEmpty()) {
            throw new ApiException(ErrorCode.NO_ONLINE_HOSTS, "no online host can build the golden of " + id);
        }
        boolean queued = building(id);
        trigger(project, caller.keyId());
        Map<String, GoldenStatus> statuses = new LinkedHashMap<>();
        hosts.forEach(host -> statuses.put(host.id(), GoldenStatus.BUILDING));
        return new GoldenTriggered(statuses, queued);
    }

    private void trigger(ProjectRow project, String by) {
        GoldenWorkflow workflow = temporal.newWorkflowStub(GoldenWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(GoldenWorkflow.workflowId(project.id()))
                .setTaskQueue(controlTaskQueue)
                .setStaticSummary("Golden Docker cache of project " + project.name() + " (" + project.id() + ")")
                .setStaticDetails("**Project** `" + project.id() + "` of `" + project.teamId() + "`  \n"
                        + "**Deadline per host** " + buildDeadline.toMinutes() + " min  \n"
                        + "**Warm-up script**\n\n```sh\n" + project.warmupScript().replace("```", "'''") + "\n```")
                .setTypedSearchAttributes(SearchAttributes.newBuilder()
                        .set(SearchAttributeKeys.KIND, "golden")
                        .set(SearchAttributeKeys.PROJECT, project.id())
                        .set(SearchAttributeKeys.TEAM, project.teamId())
                        .build())
                .build());
        BatchRequest request = temporal.newSignalWithStartRequest();
        request.add(workflow::run, new GoldenInput(project.id(), project.teamId(), buildDeadline.toSeconds()));
        request.add(workflow::trigger, by);
        try {
            temporal.signalWithStart(request);
        } catch (RuntimeException e) {
            LOG.error("could not trigger the golden of {}", project.id(), e);
            throw new ApiException(ErrorCode.TEMPORAL_UNAVAILABLE, "the workflow service did not take the trigger; try again");
        }
    }

    public void cancel(Caller caller, String id) {
        owned(caller, id);
        if (!building(id)) {
            throw new ApiException(ErrorCode.NOT_BUILDING, "no golden of " + id + " is building");
        }
        try {
            temporal.newWorkflowStub(GoldenWorkflow.class, GoldenWorkflow.workflowId(id)).cancel(caller.keyId());
        } catch (WorkflowNotFoundException e) {
            throw new ApiException(ErrorCode.NOT_BUILDING, "no golden of " + id + " is building");
        }
    }

    public void clear(Caller caller, String id) {
        owned(caller, id);
        if (building(id)) {
            throw new ApiException(ErrorCode.BUILDING, "a golden of " + id + " is building; cancel it first");
        }
        GoldenClearWorkflow clear = temporal.newWorkflowStub(GoldenClearWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(GoldenClearWorkflow.workflowId(id))
                .setTaskQueue(controlTaskQueue)
                .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                .setStaticSummary("Delete the golden of project " + id + " on every host")
                .setStaticDetails("**Project** `" + id + "`  \n**Asked by** `" + caller.keyId() + "`")
                .build());
        try {
            WorkflowClient.start(clear::clear, id);
            WorkflowStub.fromTyped(clear).getResult(CLEAR_PATIENCE.toMillis(), TimeUnit.MILLISECONDS, Void.class);
        } catch (WorkflowFailedException e) {
            ApplicationFailure failure = ApplicationFailures.find(e);
            if (failure != null && FailureType.GOLDEN_CONFLICT.name().equals(failure.getType())) {
                throw new ApiException(ErrorCode.SESSION_COPY_RUNNING, failure.getOriginalMessage());
            }
            throw new ApiException(ErrorCode.AGENT_ERROR, "clearing the golden failed: "
                    + (failure == null ? e.getMessage() : failure.getOriginalMessage()));
        } catch (TimeoutException e) {
            throw new ApiException(ErrorCode.CLEAR_PENDING, "hosts are still deleting the golden of " + id);
        }
    }

    public GoldenView golden(Caller caller, String id) {
        owned(caller, id);
        List<GoldenHostRow> rows = jdbi.onDemand(ProjectDao.class).goldenHosts(id);
        Map<String, GoldenView.Host> hosts = new LinkedHashMap<>();
        rows.forEach(row -> hosts.put(row.hostId(), GoldenView.Host.of(row)));
        return new GoldenView(overall(rows), hosts);
    }

    /** building > all ready > failed > none. */
    static GoldenStatus overall(List<GoldenHostRow> rows) {
        if (rows.stream().anyMatch(row -> row.status() == GoldenStatus.BUILDING)) {
            return GoldenStatus.BUILDING;
        }
        if (!rows.isEmpty() && rows.stream().allMatch(row -> row.status() == GoldenStatus.READY)) {
            return GoldenStatus.READY;
        }
        if (rows.stream().anyMatch(row -> row.status() == GoldenStatus.FAILED)) {
            return GoldenStatus.FAILED;
        }
        return GoldenStatus.NONE;
    }

    public WriteRateView writeRate(Caller caller, String id, String buildId) {
        owned(caller, id);
        GoldenBuildRow build = jdbi.onDemand(ProjectDao.class).findBuild(buildId)
                .filter(row -> row.projectId().equals(id))
                .orElseThrow(() -> ApiException.notFound("golden build", buildId));
        WriteRateSeries series;
        String source;
        if (build.status() == GoldenBuildStatus.BUILDING) {
            // The build activity's heartbeat, while it runs; none yet (the daemon is starting) or any more (purge
            // and promote run) reads as no samples, until the workflow records the final series.
            series = heartbeats.goldenBuild(build.workflowId()).map(GoldenProgress::io).orElse(null);
            source = "live";
        } else {
            series = stored(build);
            source = "stored";
        }
        List<WriteRateView.Sample> samples = series == null ? List.of() : series.samples().stream()
                .map(sample -> new WriteRateView.Sample(Instant.ofEpochMilli(sample.tMs()), sample.writeBytes()))
                .toList();
        return new WriteRateView(buildId, build.status(), samples, series == null ? 0 : series.writeRateMbps(), source);
    }

    private static WriteRateSeries stored(GoldenBuildRow build) {
        if (build.io() == null) {
            return null;
        }
        try {
            JsonNode io = STORED.readTree(build.io());
            List<WriteRateSample> samples = STORED.convertValue(io.path("samples"),
                    STORED.getTypeFactory().constructCollectionType(List.class, WriteRateSample.class));
            return new WriteRateSeries(build.id(), samples, io.path("writeRateMbps").asDouble(),
                    io.path("source").asText(null), false);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalStateException("stored write series of " + build.id() + " is unreadable", e);
        }
    }

    public SessionView startSession(Caller caller, String id, StartSessionRequest request) {
        ProjectRow project = owned(caller, id);
        HostRow host = sessionHost(id, request == null ? null : request.hostId());
        String sessionId = Ids.newId("ses");
        jdbi.onDemand(ProjectDao.class).insertSession(sessionId, id, caller.teamId(), host.id(), clock.instant());
        try {
            WorkflowClient.start(temporal.newWorkflowStub(SessionWorkflow.class, WorkflowOptions.newBuilder()
                    .setWorkflowId(SessionWorkflow.workflowId(sessionId))
                    .setTaskQueue(controlTaskQueue)
                    .setStaticSummary("Session of " + project.name() + " on " + host.id())
                    .setStaticDetails("**Project** `" + id + "` of `" + caller.teamId() + "`  \n**Host** `" + host.id()
                            + "`  \n**Session** `" + sessionId + "`: a copy of the project's newest golden on that"
                            + " host, with a Docker daemon of its own")
                    .setTypedSearchAttributes(SearchAttributes.newBuilder()
                            .set(SearchAttributeKeys.KIND, "session")
                            .set(SearchAttributeKeys.STATUS, SessionStatus.STARTING.wire())
                            .set(SearchAttributeKeys.PROJECT, id)
                            .set(SearchAttributeKeys.HOST, host.id())
                            .set(SearchAttributeKeys.TEAM, caller.teamId())
                            .build())
                    .build())::run, new SessionInput(sessionId, id, caller.teamId(), host.id()));
        } catch (RuntimeException e) {
            LOG.error("could not start session {}", sessionId, e);
            jdbi.onDemand(ProjectDao.class).endSession(sessionId, SessionStatus.FAILED, "workflow not started",
                    clock.instant());
            throw new ApiException(ErrorCode.TEMPORAL_UNAVAILABLE, "the workflow service did not accept the session; try again");
        }
        return session(caller, sessionId);
    }

    /**
     * The asked host if it can take the session, else the online host with the newest golden; without a golden
     * anywhere, any online host, where the session starts cold from an empty data dir.
     */
    private HostRow sessionHost(String projectId, String hostId) {
        List<HostRow> online = placeable();
        if (hostId != null) {
            return online.stream().filter(host -> host.id().equals(hostId)).findFirst()
                    .orElseThrow(() -> new ApiException(ErrorCode.HOST_UNAVAILABLE, "host " + hostId + " is not online"));
        }
        Map<String, GoldenHostRow> goldens = new LinkedHashMap<>();
        jdbi.onDemand(ProjectDao.class).goldenHosts(projectId).stream()
                .filter(row -> row.generation() > 0)
                .forEach(row -> goldens.put(row.hostId(), row));
        return online.stream()
                .filter(host -> goldens.containsKey(host.id()))
                .max(Comparator.comparingLong(host -> goldens.get(host.id()).generation()))
                .or(() -> online.stream().findFirst())
                .orElseThrow(() -> new ApiException(ErrorCode.NO_ONLINE_HOSTS, "no online host can run a session"));
    }

    public SessionView session(Caller caller, String sessionId) {
        return view(ownedSession(caller, sessionId));
    }

    public List<SessionView> sessions(Caller caller, String projectId) {
        owned(caller, projectId);
        return jdbi.onDemand(ProjectDao.class).sessionsOf(projectId, SESSION_LIST_LIMIT).stream().map(this::view).toList();
    }

    /** A starting session reads its copy's progress from the start activity's heartbeat. */
    private SessionView view(SessionRow row) {
        String sessionId = row.id();
        long copied = row.copiedBytes();
        long total = row.totalBytes();
        String message = "";
        if (row.status() == SessionStatus.STARTING) {
            message = "Starting session";
            Optional<GoldenProgress> progress = heartbeats.sessionStart(sessionId);
            if (progress.isPresent()) {
                copied = progress.get().copiedBytes();
                total = progress.get().totalBytes();
                message = progress.get().message() == null ? message : progress.get().message();
            }
        }
        return new SessionView(row.id(), row.projectId(), row.status(), message, copied, total, row.hostId(),
                row.generation(), row.dockerHost(), row.error(), row.createdAt());
    }

    public void stopSession(Caller caller, String sessionId) {
        SessionRow row = ownedSession(caller, sessionId);
        if (row.status() != SessionStatus.STARTING && row.status() != SessionStatus.RUNNING) {
            return;
        }
        try {
            temporal.newWorkflowStub(SessionWorkflow.class, SessionWorkflow.workflowId(sessionId)).stop(caller.keyId());
        } catch (WorkflowNotFoundException e) {
            jdbi.onDemand(ProjectDao.class).endSession(sessionId, SessionStatus.STOPPED, null, clock.instant());
        }
    }

    private SessionRow ownedSession(Caller caller, String sessionId) {
        return jdbi.onDemand(ProjectDao.class).findSession(sessionId)
                .filter(row -> row.teamId().equals(caller.teamId()))
                .orElseThrow(() -> ApiException.notFound("session", sessionId));
    }

    private ProjectRow owned(Caller caller, String id) {
        return jdbi.onDemand(ProjectDao.class).findById(id)
                .filter(row -> row.teamId().equals(caller.teamId()))
                .orElseThrow(() -> ApiException.notFound("project", id));
    }

    private boolean building(String projectId) {
        return jdbi.onDemand(ProjectDao.class).goldenHosts(projectId).stream()
                .anyMatch(row -> row.status() == GoldenStatus.BUILDING);
    }

    private List<HostRow> placeable() {
        return jdbi.onDemand(HostDao.class).listPlaceable("regular", null, clock.instant());
    }
}
