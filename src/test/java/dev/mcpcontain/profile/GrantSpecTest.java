package dev.mcpcontain.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GrantSpecTest {

    @ParameterizedTest
    @CsvSource({
        "documents,       documents:ro",
        "documents:rw,    documents:rw",
        "downloads:ro,    downloads:ro",
        "/srv/data,       /srv/data:ro",
        "/srv/a:b:rw,     /srv/a:b:rw",
        "~/notes:rw,      ~/notes:rw",
        "./here,          ./here:ro",
        "'~/src:rw,unprotected', '~/src:rw,unprotected'",
        "'/srv/link:ro,follow', '/srv/link:ro,follow'",
        "'documents:rw,follow,unprotected', 'documents:rw,follow,unprotected'",
        "'/srv/run:ro,sockets', '/srv/run:ro,sockets'",
    })
    void parses(String spec, String normalised) {
        assertEquals(normalised, GrantSpec.parse(spec).toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "documets      | grant 'documets': 'documets' is not a known folder (documents, downloads, desktop, pictures, music, videos) and not a path (paths start with /, ~/ or ./)",
        "documents:wr  | grant 'documents:wr': bad access 'wr' (expected :ro or :rw, optionally with ,follow or ,unprotected)",
        "/srv/data:rx  | grant '/srv/data:rx': bad access 'rx' (expected :ro or :rw, optionally with ,follow or ,unprotected; a path that really ends in ':rx' needs the access written out: /srv/data:rx:ro)",
        ":rw           | grant ':rw' names no folder",
        "/srv:rw,maybe | grant '/srv:rw,maybe': unknown option 'maybe' (known: follow, unprotected, sockets; e.g. /srv/data:rw,unprotected)",
        "/srv:ro,unprotected | grant '/srv:ro,unprotected': 'unprotected' only makes sense with :rw",
        "etc/passwd    | grant 'etc/passwd': 'etc/passwd' is not a known folder (documents, downloads, desktop, pictures, music, videos) and not a path (paths start with /, ~/ or ./)",
    })
    void rejects(String spec, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> GrantSpec.parse(spec)).getMessage());
    }

    @ParameterizedTest
    @CsvSource({"documents, DOCUMENTS", "videos, VIDEOS", "music:rw, MUSIC"})
    void knownFolders(String spec, KnownFolder folder) {
        assertEquals(Optional.of(folder), GrantSpec.parse(spec).folder());
    }
}
