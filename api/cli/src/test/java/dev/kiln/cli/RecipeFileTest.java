package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RecipeFileTest {
    @Test
    void oneInstructionPerLineSkippingBlankLinesAndComments() {
        String text = """
                # a site
                RUN apt-get install -y nginx

                   # indented comment
                WORKDIR /srv
                  ENV GREETING=hello  \t
                START nginx -g "daemon off;"
                """;
        assertThat(RecipeFile.parse(text)).containsExactly(
                "RUN apt-get install -y nginx", "WORKDIR /srv", "ENV GREETING=hello", "START nginx -g \"daemon off;\"");
    }

    @Test
    void aHashInsideAnInstructionIsKept() {
        assertThat(RecipeFile.parse("RUN echo '# not a comment' > /x\n")).containsExactly("RUN echo '# not a comment' > /x");
    }

    @Test
    void trailingBackslashContinuesTheInstructionOnTheNextLine() {
        String text = "RUN apt-get update && \\\n    # comment inside\n    apt-get install -y curl\nUSER app\n";
        assertThat(RecipeFile.parse(text)).containsExactly("RUN apt-get update && apt-get install -y curl", "USER app");
    }

    @Test
    void windowsLineEndingsAndAMissingFinalNewline() {
        assertThat(RecipeFile.parse("RUN a\r\nRUN b")).containsExactly("RUN a", "RUN b");
    }

    @Test
    void aFileOfCommentsHasNoInstructions() {
        assertThat(RecipeFile.parse("# nothing\n\n")).isEmpty();
    }

    @Test
    void defaultTemplateNameComesFromTheRecipeFileName() {
        assertThat(RecipeFile.templateName(Path.of("/tmp/hello site.recipe"))).contains("hello-site");
        assertThat(RecipeFile.templateName(Path.of("_x.txt"))).contains("x");
        assertThat(RecipeFile.templateName(Path.of("__.recipe"))).isEmpty();
    }
}
