package dev.mcpcontain.bench;

import dev.mcpcontain.registry.TreeHash;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The provenance check's cost (issue 11): a registered server's code tree hashed cold (no cache: every file read, as
 * at {@code add}) and warm (the metadata cache of the last run: only a walk and one stat per entry, as on every
 * {@code run} before the stamp), and the metadata digest alone (what every {@code run} does now when the tree's
 * metadata matches the last matching check). The in-JVM figures leave out the cache file's parse, which the
 * digest path also skips. Medians over RUNS; run through scripts/bench-registry.
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
        double[] stamp = new double[runs];
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
            long t2 = System.nanoTime();
            String digest = TreeHash.metadataDigest(tree);
            stamp[i] = (System.nanoTime() - t2) / 1e6;
            if (!digest.equals(cache.metadataDigest())) {
                throw new IllegalStateException("the metadata digest of an unchanged tree moved");
            }
        }
        System.out.printf("tree: %s (%d files)%n", tree, files);
        System.out.printf("cold (no cache, every file read): median %.1f ms%n", median(cold));
        System.out.printf("warm (metadata cache, nothing read): median %.1f ms  (%.1fx faster)%n", median(warm),
                median(cold) / median(warm));
        System.out.printf("every run (metadata digest vs the stamp of the last match, no cache parsed): median %.1f ms"
                + "  (%.1fx faster than cold)%n", median(stamp), median(cold) / median(stamp));
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
