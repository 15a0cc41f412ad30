package dev.mcpcontain.platform.linux.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The launcher's {@link PlanOp} against native/linux/plan_ops.def, the file the helper builds its op table from:
 * the same operations in the same order, with the same argument counts and occurrences.
 */
class PlanOpContractTest {

    private static final Pattern ENTRY = Pattern.compile(
            "^PLAN_OP\\(\"([^\"]+)\",\\s*(\\w+),\\s*(\\d+),\\s*(\\d+),\\s*(\\w+),\\s*\"[^\"]*\"\\)$", Pattern.MULTILINE);

    /** One line per operation, as both sides would write it: NAME ID MIN MAX OCCURS. */
    private static List<String> definition() throws IOException {
        String text = Files.readString(Path.of(System.getProperty("user.dir"), "native", "linux", "plan_ops.def"));
        List<String> entries = new ArrayList<>();
        Matcher m = ENTRY.matcher(text);
        while (m.find()) {
            entries.add(String.join(" ", m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)));
        }
        long declared = text.lines().filter(l -> l.startsWith("PLAN_OP(")).count();
        assertEquals(declared, entries.size(), "every PLAN_OP line of plan_ops.def is in the form this test reads");
        return entries;
    }

    @Test
    void theEnumIsTheDefinitionFile() throws IOException {
        List<String> java = new ArrayList<>();
        for (PlanOp op : PlanOp.values()) {
            java.add(String.join(" ", op.word, op.name(), String.valueOf(op.minArgs), String.valueOf(op.maxArgs),
                    op.occurs.name()));
        }
        assertEquals(definition(), java);
    }

    @Test
    void theWriterRefusesAWrongArgumentCountAtWriteTime() {
        PlanWriter plan = new PlanWriter();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plan.op(PlanOp.MODE));
        assertEquals("plan operation 'mode' takes 1 argument(s), got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> plan.op(PlanOp.BIND_RO, "/a", "/b", 1, 2, 3));
        assertEquals("plan operation 'bind-ro' takes 2 to 4 argument(s), got 5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> plan.op(PlanOp.END));
    }

    @Test
    void theWriterRefusesARepeatedOrMissingOperationWhenFinishing() {
        PlanWriter plan = new PlanWriter().op(PlanOp.MODE, "reduced");
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> plan.op(PlanOp.MODE, "reduced"));
        assertEquals("plan operation 'mode' written twice", twice.getMessage());
        IllegalStateException missing = assertThrows(IllegalStateException.class, plan::finish);
        assertTrue(missing.getMessage().startsWith("the plan has no '"), missing.getMessage());
    }
}
