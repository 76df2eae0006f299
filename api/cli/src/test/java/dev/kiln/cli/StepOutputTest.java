package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StepOutputTest {
    @Test
    void nothingShownMeansEverythingIsNew() {
        assertThat(StepOutput.unseen(null, "a\nb\n")).isEqualTo("a\nb\n");
        assertThat(StepOutput.unseen("", "a\n")).isEqualTo("a\n");
        assertThat(StepOutput.unseen("a\n", null)).isEmpty();
    }

    @Test
    void aLaterTailShowsOnlyWhatFollowsTheOverlap() {
        assertThat(StepOutput.unseen("line 1\nline 2\n", "line 2\nline 3\n")).isEqualTo("line 3\n");
        assertThat(StepOutput.unseen("line 1\n", "line 1\nline 2\n")).isEqualTo("line 2\n");
    }

    @Test
    void everythingAlreadyShownLeavesNothing() {
        assertThat(StepOutput.unseen("x\ny\n", "y\n")).isEmpty();
        assertThat(StepOutput.unseen("hello\n", "hello\n")).isEmpty();
    }

    @Test
    void repeatedLinesAreMatchedByTheLongestOverlap() {
        assertThat(StepOutput.unseen("ok\n", "ok\nok\n")).isEqualTo("ok\n");
        assertThat(StepOutput.unseen("ok\nok\n", "ok\nok\nok\n")).isEqualTo("ok\n");
    }

    @Test
    void noOverlapMeansTheOutputMovedOnByMoreThanATail() {
        assertThat(StepOutput.unseen("old\n", "new\n")).isEqualTo("new\n");
    }

    @Test
    void lastLinesKeepsTheEnd() {
        assertThat(StepOutput.lastLines("a\nb\nc\n", 2)).isEqualTo("b\nc");
        assertThat(StepOutput.lastLines("a", 5)).isEqualTo("a");
        assertThat(StepOutput.lastLines("", 5)).isEmpty();
    }
}
