package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TextTableTest {
    @Test
    void columnsAlignToTheWidestCellAndNullsShowAsADash() {
        String table = new TextTable("ID", "STATUS", "LOAD")
                .row("host-1", "online", "cpu 3.0%")
                .row("host-22", null, "▁▂█")
                .render();
        assertThat(table).isEqualTo("""
                ID       STATUS  LOAD
                host-1   online  cpu 3.0%
                host-22  -       ▁▂█
                """);
    }

    @Test
    void aRowOfTheWrongWidthIsRefused() {
        assertThatThrownBy(() -> new TextTable("A", "B").row("only one")).isInstanceOf(IllegalArgumentException.class);
    }
}
