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

    /** This host's user and build sandbox containers, whatever their state. */
    @ActivityMethod(name = "ListHostContainers")
    HostContainers listContainers();

    /** Force-removes these containers, where they carry this host's label; gone ones are skipped. */
    @ActivityMethod(name = "RemoveContainers")
    void removeContainers(List<String> containerIds);

    /** Force-removes every sandbox container; used when the host is deleted. */
    @ActivityMethod(name = "DestroyAllSandboxes")
    void destroyAllSandboxes();

    /** Wipes the host's credentials and stops the kiln-host process. */
    @ActivityMethod(name = "ShutDownHost")
    void shutDown();
}
