package dev.kiln.cli;

/** The API refused a request: its status and the {@code code} and {@code message} of its error body. */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String code;

    public ApiError(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    @Override
    public String toString() {
        return status + " " + code + ": " + getMessage();
    }
}
