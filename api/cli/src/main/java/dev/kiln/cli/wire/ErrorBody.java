package dev.kiln.cli.wire;

/** The body of every API error ({@code Error}): {@code {"error": {"code": ..., "message": ...}}}. */
public record ErrorBody(Detail error) {
    public record Detail(String code, String message) {}
}
