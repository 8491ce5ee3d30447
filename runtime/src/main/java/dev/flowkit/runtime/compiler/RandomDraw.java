package dev.flowkit.runtime.compiler;

import dev.flowkit.runtime.graph.RandomKey;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/** Graph inputs for anything random drawn in a batch: how many, and the [seed, stream] key. */
public final class RandomDraw {
    private final Placeholder<TInt32> count;
    private final Placeholder<TInt64> key;

    public RandomDraw(Ops tf) {
        this.count = tf.placeholder(TInt32.class);
        this.key = tf.placeholder(TInt64.class);
    }

    public Operand<TInt32> count() {
        return count;
    }

    public RandomKey key() {
        return new RandomKey(key);
    }

    /** The input tensors for [n] draws with key [seed, stream]; close them after the runs that use them. */
    public Feeds feeds(int n, long seed, long stream) {
        return new Feeds(TInt32.scalarOf(n), TInt64.vectorOf(seed, stream));
    }

    /** Runs [outputs] for [n] draws with key [seed, stream]; the caller closes the result. */
    public Result run(Session session, int n, long seed, long stream, List<? extends Operand<?>> outputs) {
        try (Feeds feeds = feeds(n, seed, stream)) {
            Session.Runner runner = session.runner();
            feeds.apply(runner);
            outputs.forEach(runner::fetch);
            return runner.run();
        }
    }

    /** Fed values of one draw. */
    public final class Feeds implements AutoCloseable {
        private final TInt32 n;
        private final TInt64 k;

        private Feeds(TInt32 n, TInt64 k) {
            this.n = n;
            this.k = k;
        }

        public void apply(Session.Runner runner) {
            runner.feed(count, n).feed(key, k);
        }

        @Override
        public void close() {
            n.close();
            k.close();
        }
    }
}
