package dev.kiln.activities.docker;

import com.github.dockerjava.api.model.Frame;

/** Collects an exec's attached output into bounded tails. */
final class ExecOutput extends AwaitableCallback<Frame> {

    private final TailBuffer stdout;
    private final TailBuffer stderr;

    ExecOutput(int tailBytes) {
        this.stdout = new TailBuffer(tailBytes);
        this.stderr = new TailBuffer(tailBytes);
    }

    @Override
    public void onNext(Frame frame) {
        switch (frame.getStreamType()) {
            case STDOUT, RAW -> stdout.write(frame.getPayload());
            case STDERR -> stderr.write(frame.getPayload());
            default -> {
                // stdin is never attached
            }
        }
    }

    TailBuffer stdout() {
        return stdout;
    }

    TailBuffer stderr() {
        return stderr;
    }

    long totalBytes() {
        return stdout.totalBytes() + stderr.totalBytes();
    }
}
