package dev.kiln.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TailOverlapTest {

    @Test
    void newTextIsWhatFollowsTheOverlapOfTwoTails() {
        assertThat(TailOverlap.newText(null, "abc")).isEqualTo("abc");
        assertThat(TailOverlap.newText("abc", "abcdef")).isEqualTo("def");
        assertThat(TailOverlap.newText("abcdef", "defgh")).isEqualTo("gh");
        assertThat(TailOverlap.newText("abcdef", "cdef")).isEmpty();
        assertThat(TailOverlap.newText("xyz", "uvw")).isEqualTo("uvw");
        assertThat(TailOverlap.newText("aaaa", "aaaab")).isEqualTo("b");
        assertThat(TailOverlap.newText("abab", "ababab")).isEqualTo("ab");
    }
}
