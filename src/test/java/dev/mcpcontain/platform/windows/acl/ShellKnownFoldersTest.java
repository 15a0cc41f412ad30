package dev.mcpcontain.platform.windows.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mcpcontain.profile.KnownFolder;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ShellKnownFoldersTest {

    /** FOLDERID values from Microsoft's KNOWNFOLDERID documentation. */
    @ParameterizedTest
    @CsvSource({
        "DOCUMENTS, FDD39AD0-238F-46AF-ADB4-6C85480369C7",
        "DOWNLOADS, 374DE290-123F-4565-9164-39C4925E467B",
        "DESKTOP, B4BFCC3A-DB2C-424C-B029-7FE99A87C641",
        "PICTURES, 33E28130-4E1E-4676-835A-98395C3BC3BB",
        "MUSIC, 4BD8D571-6D19-48D3-BE97-422220080E43",
        "VIDEOS, 18989B1D-99B5-455B-841C-AB7C74E4DDFC"})
    void everyGrantableFolderMapsToItsKnownFolderId(KnownFolder folder, String guid) {
        assertEquals("{" + guid + "}", ShellKnownFolders.folderId(folder).toGuidString().toUpperCase(Locale.ROOT));
    }
}
