package dev.mcpcontain.bench;

import dev.mcpcontain.registry.TreeHash;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The provenance check's cost (issue 11): a registered server's code tree hashed cold (no cache: every file read, as
 * at {@code add}) and warm (the metadata cache of the last run: only a walk and one stat per entry, as on every
 * {@code run}). Medians over RUNS; run through scripts/bench-registry.
 */
public final class TreeHashBenchmark {

    public static void main(String[] args) throws Exception {
        Path tree = Path.of(args[0]);
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        TreeHash.Cache cache = TreeHash.Cache.empty();
        String sha = TreeHash.of(tree, cache); // warms the page cache and the JIT
        int files = cache.files().size();
        double[] cold = new double[runs];
        double[] warm = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            TreeHash.of(tree, TreeHash.Cache.empty());
            cold[i] = (System.nanoTime() - t0) / 1e6;
            TreeHash.Cache reused = new TreeHash.Cache(cache.files());
            long t1 = System.nanoTime();
            String again = TreeHash.of(tree, reused);
            warm[i] = (System.nanoTime() - t1) / 1e6;
            if (!again.equals(sha) || reused.computed() != 0) {
                throw new IllegalStateException("warm run re-read " + reused.computed() + " files");
            }
        }
        System.out.printf("tree: %s (%d files)%n", tree, files);
        System.out.printf("cold (no cache, every file read): median %.1f ms%n", median(cold));
        System.out.printf("warm (metadata cache, nothing read): median %.1f ms  (%.1fx faster)%n", median(warm),
                median(cold) / median(warm));
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
