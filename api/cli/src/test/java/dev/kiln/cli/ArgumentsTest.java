package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ArgumentsTest {
    private static final Set<String> FLAGS = Set.of("follow");
    private static final Set<String> VALUED = Set.of("name", "base");

    @Test
    void positionalsFlagsAndOptionsInAnyOrder() {
        Arguments arguments = Arguments.parse(List.of("--name", "web", "recipe.txt", "--follow", "--base=debian"), FLAGS, VALUED);
        assertThat(arguments.positionals()).containsExactly("recipe.txt");
        assertThat(arguments.flag("follow")).isTrue();
        assertThat(arguments.option("name")).contains("web");
        assertThat(arguments.option("base")).contains("debian");
        assertThat(arguments.option("missing")).isEmpty();
    }

    @Test
    void everythingAfterDoubleDashIsPositional() {
        assertThat(Arguments.parse(List.of("--", "--follow"), FLAGS, VALUED).positionals()).containsExactly("--follow");
    }

    @Test
    void mistakesAreUsageErrors() {
        assertThatThrownBy(() -> Arguments.parse(List.of("--folow"), FLAGS, VALUED))
                .isInstanceOf(UsageException.class).hasMessageContaining("--folow");
        assertThatThrownBy(() -> Arguments.parse(List.of("--name"), FLAGS, VALUED))
                .isInstanceOf(UsageException.class).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> Arguments.parse(List.of("--follow=yes"), FLAGS, VALUED))
                .isInstanceOf(UsageException.class).hasMessageContaining("takes no value");
        assertThatThrownBy(() -> Arguments.parse(List.of("a", "b"), FLAGS, VALUED).atMost(1))
                .isInstanceOf(UsageException.class).hasMessageContaining("b");
        assertThatThrownBy(() -> Arguments.parse(List.of(), FLAGS, VALUED).positional(0, "the build id"))
                .isInstanceOf(UsageException.class).hasMessageContaining("the build id");
    }
}
