package dev.kiln.workflows.host;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/** Host-side lifecycle work, on {@code host-<hostId>}. */
@ActivityInterface
public interface LifecycleHostActivities {

    /** Every sandbox container on this host, whatever its state. */
    @ActivityMethod(name = "ListSandboxContainers")
    List<ContainerState> listSandboxContainers();

    /** Force-removes every sandbox container; used when the host is deleted. */
    @ActivityMethod(name = "DestroyAllSandboxes")
    void destroyAllSandboxes();

    /** Wipes the host's credentials and stops the kiln-host process. */
    @ActivityMethod(name = "ShutDownHost")
    void shutDown();
}
