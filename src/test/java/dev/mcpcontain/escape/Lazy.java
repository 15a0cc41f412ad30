package dev.mcpcontain.escape;

import java.util.function.Supplier;

/**
 * A value computed on first use by a test, then shared by the tests that assert on it: one contained run serves
 * many named assertions. A failure is remembered and rethrown to each of them, so every test that depends on a
 * broken run fails (none passes or skips by accident).
 */
final class Lazy<T> implements Supplier<T> {

    private final Supplier<T> supplier;
    private T value;
    private Throwable failure;
    private boolean done;

    private Lazy(Supplier<T> supplier) {
        this.supplier = supplier;
    }

    static <T> Lazy<T> of(Supplier<T> supplier) {
        return new Lazy<>(supplier);
    }

    @Override
    public synchronized T get() {
        if (!done) {
            try {
                value = supplier.get();
            } catch (RuntimeException | Error e) {
                failure = e;
            }
            done = true;
        }
        if (failure != null) {
            if (failure instanceof org.opentest4j.TestAbortedException aborted) {
                throw aborted; // a skip (or, under CI=true, already a failure) stays what it is
            }
            if (failure instanceof Error e) {
                throw new AssertionError("the shared run failed: " + e.getMessage(), e);
            }
            throw new IllegalStateException("the shared run failed: " + failure.getMessage(), failure);
        }
        return value;
    }
}
