package dev.kiln.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

class StatusLineTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(bytes, true, UTF_8);

    @Test
    void offATerminalOnlyMilestonesArePrintedEachOnItsOwnLineOnce() {
        StatusLine line = new StatusLine(err, false, 80);
        line.update("step 1/2", true);
        line.update("step 1/2 (3 s)", false);
        line.update("step 1/2", true);
        line.println("step 1/2 ok");
        line.update("step 2/2", true);
        assertThat(bytes.toString(UTF_8)).isEqualTo("step 1/2\nstep 1/2 ok\nstep 2/2\n");
    }

    @Test
    void onATerminalTheLineIsErasedBeforePermanentLinesAndDrawnAgainAfter() {
        StatusLine line = new StatusLine(err, true, 80);
        line.update("[#---] step 1", false);
        line.println("step 1 ok");
        assertThat(bytes.toString(UTF_8)).isEqualTo("\r\033[K[#---] step 1\r\033[Kstep 1 ok\n[#---] step 1");
        bytes.reset();
        line.finish();
        assertThat(bytes.toString(UTF_8)).isEqualTo("\r\033[K");
    }

    @Test
    void aLongLineIsCutToTheTerminalWidthSoThatItNeverWraps() {
        StatusLine line = new StatusLine(err, true, 20);
        line.update("x".repeat(50), false);
        assertThat(bytes.toString(UTF_8)).isEqualTo("\r\033[K" + "x".repeat(18) + "…");
    }
}
