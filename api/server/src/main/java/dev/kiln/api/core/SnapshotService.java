package dev.kiln.api.core;

import static dev.kiln.api.core.Requests.requireText;
import static java.util.Objects.requireNonNull;

import dev.kiln.api.errors.ApiException;
import dev.kiln.api.errors.ErrorCode;
import dev.kiln.api.representation.AdminSnapshotRequest;
import dev.kiln.api.representation.SnapshotRequest;
import dev.kiln.api.representation.TemplateView;
import dev.kiln.db.Ids;
import dev.kiln.db.SandboxRow;
import dev.kiln.db.SnapshotDao;
import dev.kiln.db.SnapshotRow;
import dev.kiln.db.TemplateDao;
import dev.kiln.db.TemplateNameDao;
import dev.kiln.db.TemplateRow;
import dev.kiln.db.TemplateVersionDao;
import dev.kiln.db.TemplateVersionRow;
import dev.kiln.model.SandboxStatus;
import dev.kiln.model.SnapshotStatus;
import dev.kiln.workflows.FailureType;
import dev.kiln.workflows.SearchAttributeKeys;
import dev.kiln.workflows.snapshot.SnapshotInput;
import dev.kiln.workflows.snapshot.SnapshotWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots of sandboxes into templates. The checks the caller can act on run here, in the contract's order; the
 * work runs in a {@link SnapshotWorkflow}, which finishes and records the template even if the caller goes away.
 *
 * <p>A snapshot into a name its team already has makes that template's next version, as a build of a platform
 * template's name does, and moves {@code latest} to it; an admin's snapshot into a platform template's name likewise.
 * A team cannot snapshot into a platform template's name ({@code name_reserved}), nor into one that a build or
 * another snapshot is making a version of at that moment ({@code template_name_taken}).
 */
public final class SnapshotService {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotService.class);

    private final Jdbi jdbi;
    private final WorkflowClient temporal;
    private final String controlTaskQueue;
    private final SandboxService sandboxes;
    private final Duration patience;
    private final Clock clock;

    /**
     * @param patience how long a request waits for its snapshot before answering 504 {@code snapshot_pending}; the
     *     snapshot goes on, and its template is listed when it ends
     */
    public SnapshotService(Jdbi jdbi, WorkflowClient temporal, String controlTaskQueue, SandboxService sandboxes,
            Duration patience, Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.temporal = requireNonNull(temporal, "temporal is null");
        this.controlTaskQueue = requireNonNull(controlTaskQueue, "controlTaskQueue is null");
        this.sandboxes = requireNonNull(sandboxes, "sandboxes is null");
        this.patience = requireNonNull(patience, "patience is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public TemplateView snapshot(Caller caller, SnapshotRequest request) {
        String sandboxId = requireText(request.sandboxId(), "sandbox_id");
        String name = request.name() == null ? "template-" + Ids.randomTokenHex(4) : request.name();
        requireSafe(name);
        boolean flatten = flatten(request.mode());
        if (jdbi.onDemand(TemplateDao.class).findOwned(Ids.PLATFORM_TEAM_ID, name).isPresent()
                && !caller.teamId().equals(Ids.PLATFORM_TEAM_ID)) {
            throw new ApiException(ErrorCode.NAME_RESERVED, "\"" + name + "\" is the name of a platform template");
        }
        SandboxRow sandbox = sandboxes.owned(caller, sandboxId);
        return run(caller, sandbox, name, flatten, false);
    }

    /** A platform sandbox into a platform template, or its next version; the sandbox is destroyed. */
    public TemplateView adminSnapshot(Caller admin, String sandboxId, AdminSnapshotRequest request) {
        String name = requireText(request.name(), "name");
        requireSafe(name);
        boolean flatten = flatten(request.mode());
        if (Ids.MINIMAL_TEMPLATE_NAME.equals(name)) {
            throw ApiException.forbidden("the minimal template takes no new versions");
        }
        boolean teamUses = jdbi.onDemand(TemplateDao.class).nameTaken(Ids.PLATFORM_TEAM_ID, name)
                && jdbi.onDemand(TemplateDao.class).findOwned(Ids.PLATFORM_TEAM_ID, name).isEmpty();
        if (teamUses) {
            throw new ApiException(ErrorCode.TEMPLATE_NAME_TAKEN, "a team template is named \"" + name + "\"");
        }
        SandboxRow sandbox = sandboxes.owned(admin, sandboxId);
        return run(admin, sandbox, name, flatten, true);
    }

    private TemplateView run(Caller caller, SandboxRow sandbox, String name, boolean flatten, boolean platform) {
        if (sandbox.snapshotId() != null || !(sandbox.status() == SandboxStatus.RUNNING
                || sandbox.status() == SandboxStatus.PAUSED)) {
            throw new ApiException(ErrorCode.INVALID_STATE, "sandbox " + sandbox.id() + " is " + sandbox.status()
                    + (sandbox.snapshotId() != null ? " and held by another snapshot" : "") + "; it must be running or paused");
        }
        sandboxes.requireHostOnline(sandbox);
        String snapshotId = Ids.newId("snap");
        String templateId = Ids.newId("tpl");
        SnapshotRow claim = new SnapshotRow(snapshotId, sandbox.teamId(), sandbox.id(), name,
                flatten ? "flatten" : "snapshot", SnapshotStatus.RUNNING, null, null, caller.keyId(), clock.instant(),
                null);
        // The running row claims the name under the name's lock: of two snapshots (or a snapshot and a build) of one
        // name, exactly one is accepted, and the other is told so at once rather than failing at publish.
        jdbi.useTransaction(handle -> {
            TemplateNameDao names = handle.attach(TemplateNameDao.class);
            names.lock(name);
            names.holder(sandbox.teamId(), name).ifPresent(holder -> {
                throw new ApiException(ErrorCode.TEMPLATE_NAME_TAKEN, "the name \"" + name + "\" is held by " + holder);
            });
            handle.attach(SnapshotDao.class).insert(claim);
        });
        SnapshotInput input = new SnapshotInput(snapshotId, sandbox.teamId(), sandbox.id(), sandbox.hostId(), name,
                templateId, "kiln/" + templateId.toLowerCase(Locale.ROOT) + ":latest", flatten, platform, sandbox.vcpus(),
                sandbox.memoryMb(), sandbox.defaultUser(), sandbox.defaultWorkdir(), sandbox.defaultEnv());
        WorkflowOptions options = WorkflowOptions.newBuilder()
                .setWorkflowId(SnapshotWorkflow.workflowId(snapshotId))
                .setTaskQueue(controlTaskQueue)
                .setStaticSummary((flatten ? "Flatten " : "Snapshot ") + "sandbox " + sandbox.id() + " into "
                        + (platform ? "platform " : "") + "template " + name)
                .setStaticDetails("**Sandbox** `" + sandbox.id() + "` on `" + sandbox.hostId() + "`  \n"
                        + "**Template** `" + name + "` (`" + templateId + "`)  \n"
                        + "**Mode** " + (flatten ? "flatten (one layer)" : "snapshot (commit)") + "  \n"
                        + "**Requested by** `" + caller.keyId() + "`"
                        + (platform ? "  \nA new version of the platform template of that name, if there is one; the "
                                + "sandbox is destroyed after." : ""))
                .setTypedSearchAttributes(SearchAttributes.newBuilder()
                        .set(SearchAttributeKeys.KIND, "snapshot")
                        .set(SearchAttributeKeys.STATUS, SnapshotStatus.RUNNING.wire())
                        .set(SearchAttributeKeys.TEMPLATE, name)
                        .set(SearchAttributeKeys.HOST, sandbox.hostId())
                        .set(SearchAttributeKeys.TEAM, sandbox.teamId())
                        .build())
                .build();
        SnapshotWorkflow workflow = temporal.newWorkflowStub(SnapshotWorkflow.class, options);
        try {
            WorkflowClient.start(workflow::run, input);
        } catch (RuntimeException e) {
            LOG.error("could not start snapshot {}", snapshotId, e);
            jdbi.onDemand(SnapshotDao.class).finish(snapshotId, SnapshotStatus.FAILED, null, "workflow not started",
                    clock.instant());
            throw new ApiException(ErrorCode.TEMPORAL_UNAVAILABLE, "the workflow service did not accept the snapshot; try again");
        }
        try {
            WorkflowStub.fromTyped(workflow).getResult(patience.toMillis(), TimeUnit.MILLISECONDS, String.class);
        } catch (TimeoutException e) {
            throw new ApiException(ErrorCode.SNAPSHOT_PENDING, "snapshot " + snapshotId + " is still running; template "
                    + name + " appears when it ends");
        } catch (WorkflowFailedException e) {
            throw failed(e);
        }
        TemplateVersionRow version = jdbi.onDemand(TemplateVersionDao.class).findById(templateId)
                .orElseThrow(() -> new IllegalStateException("snapshot " + snapshotId + " succeeded without template"));
        TemplateRow template = jdbi.onDemand(TemplateDao.class).findById(version.templateId())
                .orElseThrow(() -> new IllegalStateException("template of snapshot " + snapshotId + " is gone"));
        return TemplateView.of(template, version);
    }

    private static ApiException failed(WorkflowFailedException e) {
        ApplicationFailure failure = ApplicationFailures.find(e);
        String type = failure == null ? "" : failure.getType();
        String message = failure == null ? e.getMessage() : failure.getOriginalMessage();
        if (FailureType.TEMPLATE_NAME_TAKEN.name().equals(type)) {
            return new ApiException(ErrorCode.TEMPLATE_NAME_TAKEN, message);
        }
        if (FailureType.INVALID_STATE.name().equals(type) || FailureType.SANDBOX_GONE.name().equals(type)) {
            return new ApiException(ErrorCode.INVALID_STATE, message);
        }
        return new ApiException(ErrorCode.AGENT_ERROR, "the snapshot failed: " + message);
    }

    private static boolean flatten(String mode) {
        if (mode == null || mode.equals("snapshot")) {
            return false;
        }
        if (mode.equals("flatten")) {
            return true;
        }
        throw ApiException.badRequest("field mode must be snapshot or flatten");
    }

    private static void requireSafe(String name) {
        if (!SafeNames.isSafe(name)) {
            throw ApiException.badRequest("field name must match [a-zA-Z0-9][a-zA-Z0-9._-]{0,63}");
        }
    }
}
