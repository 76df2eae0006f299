package dev.kiln.workflows;

/** Task queue names shared by the API (which starts workflows) and the workers (which poll them). */
public final class TaskQueues {
    /** Workflows and the activities that touch PostgreSQL run here, inside kiln-api. */
    public static final String CONTROL = "kiln-control";

    private TaskQueues() {}

    /** Each host polls its own queue, so an activity scheduled there can only run on that machine. */
    public static String host(String hostId) {
        return "host-" + hostId;
    }
}
