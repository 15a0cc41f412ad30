package dev.mcpcontain.escape;

import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.List;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.Executable;

/** Test names carry the identity, so a report line alone says who tried what: "[user] /etc/shadow: EACCES". */
final class Named {

    private Named() {}

    static DynamicTest test(Identity id, String name, Executable body) {
        return dynamicTest("[" + id.key() + "] " + name, body);
    }

    static DynamicContainer group(Identity id, List<? extends DynamicNode> tests) {
        return dynamicContainer(id.toString(), tests);
    }
}
