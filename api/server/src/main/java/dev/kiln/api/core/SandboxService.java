package dev.kiln.api.core;

import static dev.kiln.api.core.Requests.requireText;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.control.HostPlacement;
import dev.kiln.api.errors.ApiException;
import dev.kiln.api.errors.ErrorCode;
import dev.kiln.api.representation.CreateSandboxRequest;
import dev.kiln.api.representation.ExecSandboxRequest;
import dev.kiln.api.representation.ExecView;
import dev.kiln.api.representation.MetricsView;
import dev.kiln.api.representation.SandboxView;
import dev.kiln.db.HostDao;
import dev.kiln.db.HostRow;
import dev.kiln.db.Ids;
import dev.kiln.db.SandboxDao;
import dev.kiln.db.SandboxRow;
import dev.kiln.db.TemplateAtVersion;
import dev.kiln.db.TemplateRow;
import dev.kiln.db.TemplateVersionRow;
import dev.kiln.model.HostStatus;
import dev.kiln.model.SandboxStatus;
import dev.kiln.workflows.FailureType;
import dev.kiln.workflows.SearchAttributeKeys;
import dev.kiln.workflows.sandbox.ExecCommand;
import dev.kiln.workflows.sandbox.MetricPoint;
import dev.kiln.workflows.sandbox.SandboxInput;
import dev.kiln.workflows.sandbox.SandboxMetrics;
import dev.kiln.workflows.sandbox.SandboxWorkflow;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sandboxes: rows in PostgreSQL, each driven by its own {@link SandboxWorkflow}. */
public final class SandboxService {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxService.class);
    private static final Duration STOPPED_LISTED_FOR = Duration.ofDays(1);
    private static final int DEFAULT_EXEC_TIMEOUT_S = 60;
    private static final int MAX_EXEC_TIMEOUT_S = 3600;
    private static final int MAX_VCPUS = 64;
    private static final int MAX_MEMORY_MB = 256 * 1024;
    private static final Map<String, Duration> RANGES =
            Map.of("10m", Duration.ofMinutes(10), "2h", Duration.ofHours(2), "24h", Duration.ofHours(24));

    private final Jdbi jdbi;
    private final WorkflowClient temporal;
    private final String controlTaskQueue;
    /** The stored tiers were written by the data layer's mapper, with Java's field names, not the API's. */
    private static final ObjectMapper STORED_METRICS = new ObjectMapper();

    private final HostPlacement placement;
    private final Clock clock;

    public SandboxService(Jdbi jdbi, WorkflowClient temporal, String controlTaskQueue, HostPlacement placement,
            Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.temporal = requireNonNull(temporal, "temporal is null");
        this.controlTaskQueue = requireNonNull(controlTaskQueue, "controlTaskQueue is null");
        this.placement = requireNonNull(placement, "placement is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Starts a sandbox from the version its template reference names; a revoked version is refused. */
    public SandboxView create(Caller caller, CreateSandboxRequest request) {
        TemplateRef ref = TemplateRef.parse(requireText(request.template(), "template"), "template");
        TemplateAtVersion resolved = new TemplateResolver(jdbi).resolve(caller.teamId(), ref, "template");
        TemplateRow template = resolved.template();
        TemplateVersionRow version = resolved.version();
        int vcpus = within(request.vcpus(), version.vcpus(), MAX_VCPUS, "vcpus");
        int memoryMb = within(request.memoryMb(), version.memoryMb(), MAX_MEMORY_MB, "memory_mb");
        HostRow host = placement.choose(vcpus, memoryMb).host().orElseThrow(() -> new ApiException(
                ErrorCode.NO_CAPACITY, "no online host has room for " + vcpus + " vCPU and " + memoryMb + " MB"));

        String id = Ids.newId("sb");
        Instant now = clock.instant();
        SandboxRow row = new SandboxRow(id, caller.teamId(), template.id(), host.id(), null, SandboxStatus.STARTING,
                vcpus, memoryMb, template.name(), version.defaultUser(), version.defaultEnv(),
                version.defaultWorkdir(), null, now, now, version.version());
        jdbi.onDemand(SandboxDao.class).insert(row);
        SandboxInput input = new SandboxInput(id, caller.teamId(), host.id(), template.name(), version.imageRef(), vcpus,
                memoryMb, version.defaultUser(), version.defaultWorkdir(), version.defaultEnv(), null);
        String exact = template.name() + "@v" + version.version();
        WorkflowOptions options = WorkflowOptions.newBuilder()
                .setWorkflowId(SandboxWorkflow.workflowId(id))
                .setTaskQueue(controlTaskQueue)
                .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
                .setStaticSummary("Sandbox of " + exact + " for " + caller.teamId() + " on " + host.id())
                .setStaticDetails("**Template** `" + exact + "` (`" + version.imageRef() + "`), asked for as `"
                        + request.template() + "`  \n"
                        + "**Resources** " + vcpus + " vCPU, " + memoryMb + " MB  \n"
                        + "**Runs as** `" + version.defaultUser() + "`"
                        + (version.defaultWorkdir() == null ? "" : " in `" + version.defaultWorkdir() + "`"))
                .setTypedSearchAttributes(SearchAttributes.newBuilder()
                        .set(SearchAttributeKeys.KIND, "sandbox")
                        .set(SearchAttributeKeys.STATUS, SandboxStatus.STARTING.wire())
                        .set(SearchAttributeKeys.TEMPLATE, template.name())
                        .set(SearchAttributeKeys.HOST, host.id())
                        .set(SearchAttributeKeys.TEAM, caller.teamId())
                        .build())
                .build();
        try {
            WorkflowClient.start(temporal.newWorkflowStub(SandboxWorkflow.class, options)::run, input);
        } catch (RuntimeException e) {
            LOG.error("could not start the workflow of sandbox {}", id, e);
            jdbi.onDemand(SandboxDao.class).markStopped(id, clock.instant());
            throw new ApiException(ErrorCode.TEMPORAL_UNAVAILABLE, "the workflow service did not accept the sandbox; try again");
        }
        SandboxStatus status = call(id, SandboxWorkflow::started);
        if (status != SandboxStatus.RUNNING) {
            throw new ApiException(ErrorCode.SANDBOX_FAILED, "the sandbox's container could not be started on " + host.id());
        }
        return get(caller, id);
    }

    public SandboxView get(Caller caller, String id) {
        return SandboxView.of(owned(caller, id));
    }

    public List<SandboxView> list(Caller caller) {
        return jdbi.onDemand(SandboxDao.class).listForTeam(caller.teamId(), clock.instant().minus(STOPPED_LISTED_FOR))
                .stream()
                .map(SandboxView::of).toList();
    }

    public ExecView exec(Caller caller, String id, ExecSandboxRequest request) {
        String command = requireText(request.command(), "command");
        int timeout = within(request.timeoutS(), DEFAULT_EXEC_TIMEOUT_S, MAX_EXEC_TIMEOUT_S, "timeout_s");
        SandboxRow sandbox = movable(caller, id, SandboxStatus.RUNNING);
        requireHostOnline(sandbox);
        return ExecView.of(call(id, workflow -> workflow.exec(new ExecCommand(command, timeout))));
    }

    public SandboxView pause(Caller caller, String id) {
        SandboxRow sandbox = owned(caller, id);
        if (sandbox.status() != SandboxStatus.PAUSED || sandbox.snapshotId() != null) {
            movable(caller, id, SandboxStatus.RUNNING);
            requireHostOnline(sandbox);
            call(id, workflow -> {
                workflow.pause();
                return null;
            });
        }
        return get(caller, id);
    }

    public SandboxView resume(Caller caller, String id) {
        SandboxRow sandbox = owned(caller, id);
        if (sandbox.status() != SandboxStatus.RUNNING) {
            movable(caller, id, SandboxStatus.PAUSED);
            requireHostOnline(sandbox);
            call(id, workflow -> {
                workflow.resume();
                return null;
            });
        }
        return get(caller, id);
    }

    /**
     * Stops the row at once and leaves the container's removal to the sandbox's workflow, which retries while the
     * host is away: the caller need not wait for an unreachable host.
     */
    public void destroy(Caller caller, String id) {
        SandboxRow sandbox = owned(caller, id);
        if (sandbox.status() == SandboxStatus.STOPPED) {
            return;
        }
        if (sandbox.snapshotId() != null) {
            throw new ApiException(ErrorCode.INVALID_STATE, "sandbox " + id + " is being snapshotted; try again when it ends");
        }
        try {
            temporal.newUntypedWorkflowStub(SandboxWorkflow.workflowId(id)).startUpdate(
                    UpdateOptions.newBuilder(Void.class).setUpdateName("destroy")
                            .setWaitForStage(WorkflowUpdateStage.ACCEPTED).build());
        } catch (RuntimeException e) {
            // The workflow already ended (its host was deleted, or it never started): nothing runs to remove.
            LOG.info("destroy of sandbox {} found no live workflow: {}", id, e.getMessage());
        }
        jdbi.onDemand(SandboxDao.class).markStopped(id, clock.instant());
    }

    public MetricsView metrics(Caller caller, String id, String range) {
        String chosen = range == null ? "10m" : range;
        Duration window = RANGES.get(chosen);
        if (window == null) {
            throw ApiException.badRequest("range must be 10m, 2h or 24h");
        }
        SandboxRow sandbox = owned(caller, id);
        SandboxMetrics metrics;
        String source;
        switch (sandbox.status()) {
            case STOPPED -> throw ApiException.notFound("sandbox", id);
            case RUNNING -> {
                requireHostOnline(sandbox);
                metrics = call(id, SandboxWorkflow::metrics);
                source = "live";
            }
            default -> {
                metrics = storedMetrics(id);
                source = "stored";
            }
        }
        List<MetricPoint> tier = switch (chosen) {
            case "10m" -> metrics.raw();
            case "2h" -> metrics.halfMinute();
            default -> metrics.fiveMinute();
        };
        long since = clock.millis() - window.toMillis();
        return new MetricsView(chosen, source, tier.stream()
                .filter(point -> point.t() >= since)
                .map(point -> new MetricsView.Point(Instant.ofEpochMilli(point.t()), point.cpuPct(), point.rssBytes(),
                        point.diskBytes()))
                .toList());
    }

    private SandboxMetrics storedMetrics(String id) {
        return jdbi.onDemand(SandboxDao.class).findMetrics(id).map(text -> {
            try {
                return STORED_METRICS.readValue(text, SandboxMetrics.class);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("stored metrics of sandbox " + id + " are unreadable", e);
            }
        }).orElse(SandboxMetrics.empty());
    }

    /** The caller's sandbox; another team's is as unknown as a missing one. */
    SandboxRow owned(Caller caller, String id) {
        return jdbi.onDemand(SandboxDao.class).findById(id)
                .filter(row -> row.teamId().equals(caller.teamId()))
                .orElseThrow(() -> ApiException.notFound("sandbox", id));
    }

    /** The caller's sandbox in {@code expected}, held by no snapshot. */
    private SandboxRow movable(Caller caller, String id, SandboxStatus expected) {
        SandboxRow sandbox = owned(caller, id);
        if (sandbox.snapshotId() != null) {
            throw new ApiException(ErrorCode.INVALID_STATE, "sandbox " + id + " is being snapshotted; try again when it ends");
        }
        if (sandbox.status() != expected) {
            throw new ApiException(ErrorCode.INVALID_STATE, "sandbox " + id + " is " + sandbox.status() + ", not " + expected);
        }
        return sandbox;
    }

    void requireHostOnline(SandboxRow sandbox) {
        boolean online = sandbox.hostId() != null && jdbi.onDemand(HostDao.class).findById(sandbox.hostId())
                .map(host -> host.status() == HostStatus.ONLINE).orElse(false);
        if (!online) {
            throw new ApiException(ErrorCode.HOST_UNAVAILABLE, "the host of sandbox " + sandbox.id() + " is not reachable");
        }
    }

    /** Sends an update to the sandbox's workflow and maps what the host reported to the API's codes. */
    private <T> T call(String id, Function<SandboxWorkflow, T> update) {
        SandboxWorkflow workflow = temporal.newWorkflowStub(SandboxWorkflow.class, SandboxWorkflow.workflowId(id));
        try {
            return update.apply(workflow);
        } catch (RuntimeException e) {
            ApplicationFailure failure = ApplicationFailures.find(e);
            if (failure != null && (FailureType.SANDBOX_GONE.name().equals(failure.getType())
                    || FailureType.INVALID_STATE.name().equals(failure.getType()))) {
                throw new ApiException(ErrorCode.INVALID_STATE, failure.getOriginalMessage());
            }
            LOG.warn("update of sandbox {} failed", id, e);
            throw new ApiException(ErrorCode.AGENT_ERROR,
                    "the host could not do it: " + (failure != null ? failure.getOriginalMessage() : e.getMessage()));
        }
    }

    private static int within(Integer value, int fallback, int max, String field) {
        if (value == null) {
            return fallback;
        }
        if (value < 1 || value > max) {
            throw ApiException.badRequest("field " + field + " must be between 1 and " + max);
        }
        return value;
    }
}
