package dev.kiln.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsStoreTest {
    @TempDir
    Path stateDir;

    @Test
    void savedCredentialsAreOwnerReadableOnlyAndLoadBack() throws Exception {
        CredentialsStore store = new CredentialsStore(stateDir.resolve("nested"), new ObjectMapper());
        HostCredentials credentials = new HostCredentials("host-1", "jwt", "refresh");

        store.save(credentials);

        assertThat(Files.getPosixFilePermissions(store.file())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(store.load()).contains(credentials);
    }

    @Test
    void replacingCredentialsKeepsTheModeAndWipeRemovesThem() throws Exception {
        CredentialsStore store = new CredentialsStore(stateDir, new ObjectMapper());
        store.save(new HostCredentials("host-1", "jwt", "refresh"));
        store.save(new HostCredentials("host-1", "jwt2", "refresh2"));

        assertThat(store.load()).contains(new HostCredentials("host-1", "jwt2", "refresh2"));
        assertThat(Files.getPosixFilePermissions(store.file())).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        store.wipe();
        assertThat(store.load()).isEmpty();
    }
}
