package dev.mcpcontain.hosts;

import java.util.ArrayList;
import java.util.List;

/**
 * A unified diff ({@code diff -u}, three lines of context) of two texts, for {@code --dry-run}. Myers' algorithm:
 * its cost grows with the number of changed lines, not with the file, and {@code ~/.claude.json} can be long.
 */
public final class UnifiedDiff {

    private static final int CONTEXT = 3;

    private record Op(char kind, String line, int oldLine, int newLine) {}

    private UnifiedDiff() {}

    /** Empty when the texts are equal. */
    public static String of(String oldName, String newName, String before, String after) {
        List<String> a = lines(before);
        List<String> b = lines(after);
        List<Op> ops = ops(a, b);
        if (ops.stream().allMatch(op -> op.kind() == ' ')) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        out.append("--- ").append(oldName).append('\n').append("+++ ").append(newName).append('\n');
        int i = 0;
        while (i < ops.size()) {
            if (ops.get(i).kind() == ' ') {
                i++;
                continue;
            }
            int start = Math.max(0, i - CONTEXT);
            int end = i;
            // Extend the hunk while the next change is within two contexts of the last one.
            int last = i;
            for (int j = i; j < ops.size(); j++) {
                if (ops.get(j).kind() != ' ') {
                    if (j - last > 2 * CONTEXT) {
                        break;
                    }
                    last = j;
                }
            }
            end = Math.min(ops.size(), last + CONTEXT + 1);
            hunk(out, ops.subList(start, end));
            i = end;
        }
        return out.toString();
    }

    private static void hunk(StringBuilder out, List<Op> hunk) {
        int oldStart = -1;
        int newStart = -1;
        int oldCount = 0;
        int newCount = 0;
        for (Op op : hunk) {
            if (op.kind() != '+') {
                oldCount++;
                if (oldStart < 0) {
                    oldStart = op.oldLine();
                }
            }
            if (op.kind() != '-') {
                newCount++;
                if (newStart < 0) {
                    newStart = op.newLine();
                }
            }
        }
        // An empty side is numbered by the line before it, as diff does.
        if (oldStart < 0) {
            oldStart = hunk.get(0).oldLine() - 1;
        }
        if (newStart < 0) {
            newStart = hunk.get(0).newLine() - 1;
        }
        out.append("@@ -").append(range(oldStart, oldCount)).append(" +").append(range(newStart, newCount))
                .append(" @@\n");
        for (Op op : hunk) {
            out.append(op.kind()).append(op.line()).append('\n');
        }
    }

    private static String range(int start, int count) {
        return count == 1 ? String.valueOf(start) : start + "," + count;
    }

    private static List<String> lines(String text) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }

    /** Every line of both texts in order, each kept (' '), removed ('-') or added ('+'), with its line numbers. */
    static List<Op> ops(List<String> a, List<String> b) {
        int n = a.size();
        int m = b.size();
        int max = n + m;
        int offset = max + 1;
        int[] v = new int[2 * max + 3];
        List<int[]> trace = new ArrayList<>();
        int found = -1;
        for (int d = 0; d <= max && found < 0; d++) {
            for (int k = -d; k <= d; k += 2) {
                int x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? v[offset + k + 1]
                        : v[offset + k - 1] + 1;
                int y = x - k;
                while (x < n && y < m && a.get(x).equals(b.get(y))) {
                    x++;
                    y++;
                }
                v[offset + k] = x;
                if (x >= n && y >= m) {
                    found = d;
                }
            }
            int[] snapshot = new int[2 * d + 1];
            System.arraycopy(v, offset - d, snapshot, 0, 2 * d + 1);
            trace.add(snapshot);
        }
        List<Op> reversed = new ArrayList<>();
        int x = n;
        int y = m;
        for (int d = found; d > 0; d--) {
            int[] prev = trace.get(d - 1); // k from -(d-1) to d-1 at index k + d - 1
            int k = x - y;
            int prevK = (k == -d || (k != d && prev[k - 1 + d - 1] < prev[k + 1 + d - 1])) ? k + 1 : k - 1;
            int prevX = prev[prevK + d - 1];
            int prevY = prevX - prevK;
            while (x > prevX && y > prevY) {
                reversed.add(new Op(' ', a.get(x - 1), x, y));
                x--;
                y--;
            }
            if (prevK == k + 1) {
                reversed.add(new Op('+', b.get(y - 1), x + 1, y));
            } else {
                reversed.add(new Op('-', a.get(x - 1), x, y + 1));
            }
            x = prevX;
            y = prevY;
        }
        while (x > 0 && y > 0) {
            reversed.add(new Op(' ', a.get(x - 1), x, y));
            x--;
            y--;
        }
        List<Op> ops = new ArrayList<>(reversed.size());
        for (int i = reversed.size() - 1; i >= 0; i--) {
            ops.add(reversed.get(i));
        }
        return ops;
    }
}
