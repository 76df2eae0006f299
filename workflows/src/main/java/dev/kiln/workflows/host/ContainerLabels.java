package dev.kiln.workflows.host;

/**
 * The labels Kiln puts on the containers and images it makes on a host's engine. Workflows name some of them on the
 * images they publish; hosts use all of them to find their own containers again (see the host side's HostLabels).
 */
public final class ContainerLabels {
    /** The host whose kiln-host made the container. Hosts can share one engine, so every listing filters on it. */
    public static final String HOST = "kiln.host";
    public static final String SANDBOX = "kiln.sandbox";
    public static final String BUILD = "kiln.build";
    public static final String TEMPLATE = "kiln.template";
    /**
     * What a container or image is. Docker copies a container's labels into the image committed from it, and a
     * container inherits its image's: without the role, a container started from a template would claim to be the
     * build sandbox it was committed from.
     */
    public static final String ROLE = "kiln.role";

    public static final String ROLE_BUILD = "build";
    public static final String ROLE_SANDBOX = "sandbox";
    public static final String ROLE_TEMPLATE = "template";
    public static final String ROLE_SNAPSHOT = "snapshot";

    private ContainerLabels() {}
}
