package dev.mcpcontain.platform.dbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BusAddressTest {

    @Test
    void unixPathsAreTakenInOrderAndUnescaped() {
        StringBuilder why = new StringBuilder();
        assertEquals(List.of(Path.of("/run/user/1000/bus"), Path.of("/tmp/a b")),
                BusAddress.socketPaths("unix:path=/run/user/1000/bus;unix:path=/tmp/a%20b,guid=00ff", why));
        assertEquals("", why.toString());
    }

    @Test
    void abstractSocketsAndTcpAreExplainedNotUsed() {
        StringBuilder why = new StringBuilder();
        assertEquals(List.of(), BusAddress.socketPaths("unix:abstract=/tmp/dbus-x,guid=1;tcp:host=localhost,port=1", why));
        assertTrue(why.toString().contains("abstract sockets are not supported"), why.toString());
        assertTrue(why.toString().contains("transport 'tcp'"), why.toString());
    }
}
