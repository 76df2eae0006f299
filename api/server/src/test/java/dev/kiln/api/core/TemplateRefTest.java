package dev.kiln.api.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.api.errors.ApiException;
import dev.kiln.api.errors.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TemplateRefTest {
    @Test
    void aPlainNameIsItsLatestTag() {
        assertThat(TemplateRef.parse("py-3.12", "template")).isEqualTo(new TemplateRef("py-3.12", "latest", null));
    }

    @Test
    void aColonNamesATagAndAnAtNamesAVersion() {
        assertThat(TemplateRef.parse("py:stable", "template")).isEqualTo(new TemplateRef("py", "stable", null));
        assertThat(TemplateRef.parse("py@v3", "template")).isEqualTo(new TemplateRef("py", null, 3));
        assertThat(TemplateRef.parse("py@v12", "template").toString()).isEqualTo("py@v12");
        assertThat(TemplateRef.parse("py", "template").toString()).isEqualTo("py:latest");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "py:", ":stable", "py@", "py@3", "py@v0", "py@v-1", "py@vx", "py:a@v1", "py@v1:a",
            "py:a:b", "../etc", "py:../x", "py@v1234567890"})
    void anythingElseIsAnInvalidRequestNamingTheField(String text) {
        assertThatThrownBy(() -> TemplateRef.parse(text, "base_template"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
                    assertThat(e.getMessage()).startsWith("field base_template ");
                });
    }

    @Test
    void aVersionInAPathIsANumberWithOrWithoutItsV() {
        assertThat(TemplateRef.parseVersion("3")).isEqualTo(3);
        assertThat(TemplateRef.parseVersion("v3")).isEqualTo(3);
        for (String bad : new String[] {"0", "v", "three", "-1", "3.0", "V3"}) {
            assertThatThrownBy(() -> TemplateRef.parseVersion(bad)).as(bad).isInstanceOf(ApiException.class);
        }
    }
}
