package dev.kiln.workflows.build.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecipeParserTest {

    @Test
    void runKeepsTheCommandAndIsCaseInsensitive() {
        assertThat(RecipeParser.parseStep("RUN apt install -y curl").command()).isEqualTo("apt install -y curl");
        assertThat(RecipeParser.parseStep("run echo hello").instruction()).isEqualTo(Instruction.RUN);
        assertThat(RecipeParser.parseStep("  RUN   echo padded  ").command()).isEqualTo("echo padded");
    }

    @Test
    void runTimeoutFlagIsOnlyTheFirstToken() {
        RecipeStep step = RecipeParser.parseStep("RUN --timeout=5m npm install");
        assertThat(step.command()).isEqualTo("npm install");
        assertThat(step.timeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(RecipeParser.parseStep("RUN --timeout=30s echo").timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(RecipeParser.parseStep("RUN echo --timeout=5m").command()).isEqualTo("echo --timeout=5m");
    }

    @Test
    void runErrors() {
        assertThatThrownBy(() -> RecipeParser.parseStep("RUN")).hasMessage("RUN requires a command");
        assertThatThrownBy(() -> RecipeParser.parseStep("RUN --timeout=5m")).hasMessage("RUN requires a command");
        assertThatThrownBy(() -> RecipeParser.parseStep("RUN --timeout=notaduration echo hi"))
                .hasMessage("invalid duration \"notaduration\"");
    }

    @Test
    void unknownAndEmptyLinesAreRefused() {
        assertThatThrownBy(() -> RecipeParser.parseStep("FROBNICATE something"))
                .hasMessage("unknown instruction \"FROBNICATE\" (expected RUN, START, ENV, WORKDIR, USER, or COPY)");
        assertThatThrownBy(() -> RecipeParser.parseStep("")).hasMessage("empty step");
        assertThatThrownBy(() -> RecipeParser.parseStep("   ")).hasMessage("empty step");
    }

    @Test
    void recipeErrorsNameTheOneBasedLine() {
        assertThatThrownBy(() -> RecipeParser.parse(List.of("RUN true", "RUN true", "BADCMD x")))
                .isInstanceOf(RecipeException.class)
                .hasMessageStartingWith("recipe line 3: unknown instruction \"BADCMD\"");
        assertThat(RecipeParser.parse(null)).isEmpty();
        assertThat(RecipeParser.parse(Arrays.asList("RUN a", "RUN --timeout=2m b"))).hasSize(2);
    }

    @Test
    void durationsFollowGoSyntax() {
        assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThatThrownBy(() -> Durations.parse("5smiles")).isInstanceOf(RecipeException.class);
        assertThatThrownBy(() -> Durations.parse("five")).isInstanceOf(RecipeException.class);
    }

    @Test
    void plannerNumbersStepsGloballyAcrossPhases() {
        var steps = BuildPlanner.plan(List.of("RUN a", "RUN --timeout=5s b", "RUN --timeout=0s c"), false);
        assertThat(steps).hasSize(3 + 7);
        assertThat(steps).extracting(step -> step.number()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertThat(steps).extracting(step -> step.phase()).containsExactly("pre-build", "pre-build", "pre-build",
                "recipe", "recipe", "recipe", "post-build", "post-build", "post-build", "post-build");
        assertThat(steps.get(1).text()).isEqualTo("USER kiln");
        assertThat(steps.get(2).arguments()).containsExactly("/home/kiln");
        assertThat(steps.get(3).text()).isEqualTo("RUN a");
        assertThat(steps).extracting(step -> step.timeoutSeconds()).element(4).isEqualTo(5L);
        assertThat(steps.get(5).timeoutSeconds()).isEqualTo(BuildPlanner.DEFAULT_RUN_TIMEOUT.toSeconds());
        assertThat(steps.get(9).arguments()).containsExactly("rm -rf /tmp/build-files /tmp/build-files.*");
    }

    @Test
    void skipPrePostKeepsOnlyTheRecipe() {
        var steps = BuildPlanner.plan(List.of("ENV A=1", "START srv", "COPY a /b"), true);
        assertThat(steps).extracting(step -> step.number()).containsExactly(1, 2, 3);
        assertThat(steps).extracting(step -> step.instruction()).containsExactly("ENV", "START", "COPY");
        assertThat(steps).extracting(step -> step.timeoutSeconds()).containsExactly(1L, 10L, 60L);
        assertThat(steps.get(2).arguments()).containsExactly("a", "/b");
    }
}
