package dev.kiln.cli;

/** The command line itself is wrong: the message says how, and the command exits 2 after printing the usage. */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
