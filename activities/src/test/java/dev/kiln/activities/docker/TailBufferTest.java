package dev.kiln.activities.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TailBufferTest {

    @Test
    void keepsEverythingWhileUnderCapacity() {
        TailBuffer tail = new TailBuffer(16);

        tail.write(bytes("hello "));
        tail.write(bytes("world"));

        assertThat(tail.text()).isEqualTo("hello world");
        assertThat(tail.totalBytes()).isEqualTo(11);
    }

    @Test
    void keepsTheLastBytesAcrossManySmallWrites() {
        TailBuffer tail = new TailBuffer(10);
        StringBuilder written = new StringBuilder();

        for (int i = 0; i < 100; i++) {
            String chunk = Integer.toString(i) + ",";
            written.append(chunk);
            tail.write(bytes(chunk));
        }

        assertThat(tail.text()).isEqualTo(written.substring(written.length() - 10));
        assertThat(tail.totalBytes()).isEqualTo(written.length());
    }

    @Test
    void keepsTheEndOfAWriteLargerThanTheCapacity() {
        TailBuffer tail = new TailBuffer(8);
        tail.write(bytes("abc"));

        tail.write(bytes("0123456789xyz"));

        assertThat(tail.text()).isEqualTo("56789xyz");
        assertThat(tail.totalBytes()).isEqualTo(16);
    }

    @Test
    void aShorterViewIsTheLastBytesAndDropsACharacterItCuts() {
        TailBuffer tail = new TailBuffer(16);
        tail.write(bytes("abcdéf"));

        assertThat(tail.text(2)).isEqualTo("f");
        assertThat(tail.text(3)).isEqualTo("éf");
        assertThat(tail.text(4)).isEqualTo("déf");
        assertThat(tail.text(100)).isEqualTo("abcdéf");
        assertThat(tail.text(0)).isEmpty();
    }

    @Test
    void dropsACharacterCutInHalfAtTheStart() {
        TailBuffer tail = new TailBuffer(5);

        tail.write(bytes("ééé"));

        assertThat(tail.text()).isEqualTo("éé");
    }

    @Test
    void replacesMalformedInput() {
        TailBuffer tail = new TailBuffer(8);

        tail.write(new byte[] {'a', (byte) 0xFF, 'b'});

        assertThat(tail.text()).isEqualTo("a\uFFFDb");
    }

    @Test
    void writeLineStartsOnANewLineOnlyWhenNeeded() {
        TailBuffer empty = new TailBuffer(64);
        TailBuffer partial = new TailBuffer(64);
        partial.write(bytes("partial"));
        TailBuffer complete = new TailBuffer(64);
        complete.write(bytes("complete\n"));

        empty.writeLine("note");
        partial.writeLine("note");
        complete.writeLine("note");

        assertThat(empty.text()).isEqualTo("note\n");
        assertThat(partial.text()).isEqualTo("partial\nnote\n");
        assertThat(complete.text()).isEqualTo("complete\nnote\n");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
