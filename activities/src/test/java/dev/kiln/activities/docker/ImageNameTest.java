package dev.kiln.activities.docker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ImageNameTest {

    @Test
    void splitsTheTagOff() {
        assertThat(ImageName.parse("kiln/python:3.12")).isEqualTo(new ImageName("kiln/python", "3.12"));
    }

    @Test
    void defaultsToLatest() {
        assertThat(ImageName.parse("kiln/python")).isEqualTo(new ImageName("kiln/python", "latest"));
    }

    @Test
    void doesNotMistakeARegistryPortForATag() {
        assertThat(ImageName.parse("registry.local:5000/kiln/python"))
                .isEqualTo(new ImageName("registry.local:5000/kiln/python", "latest"));
        assertThat(ImageName.parse("registry.local:5000/kiln/python:v2"))
                .isEqualTo(new ImageName("registry.local:5000/kiln/python", "v2"));
    }
}
