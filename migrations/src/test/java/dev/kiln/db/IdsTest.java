package dev.kiln.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdsTest {
    @Test
    void newIdIsThePrefixAndTwentyFiveBase36Digits() {
        assertThat(Ids.newId("host")).matches("host-[0-9a-z]{25}");
        assertThat(Ids.newId("tpl")).matches("tpl-[0-9a-z]{25}");
    }

    @Test
    void newIdsAreDistinct() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(Ids.newId("x"));
        }
        assertThat(ids).hasSize(10_000);
    }

    @Test
    void wellKnownIdsHaveTheIdShape() {
        assertThat(Ids.PLATFORM_TEAM_ID).matches("team-[0-9a-z]{25}");
        assertThat(Ids.MINIMAL_TEMPLATE_ID).matches("tpl-[0-9a-z]{25}");
    }

    @Test
    void sha256HexIsTheLowercaseHexDigest() {
        assertThat(Ids.sha256Hex("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void randomTokenHexHasTwoDigitsPerByteAndDiffers() {
        String token = Ids.randomTokenHex(32);
        assertThat(token).matches("[0-9a-f]{64}");
        assertThat(Ids.randomTokenHex(32)).isNotEqualTo(token);
        assertThatThrownBy(() -> Ids.randomTokenHex(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
