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

    /** Runs [outputs] for [n] draws with key [seed, stream]; the caller closes the result. */
    public Result run(Session session, int n, long seed, long stream, List<? extends Operand<?>> outputs) {
        try (TInt32 n32 = TInt32.scalarOf(n); TInt64 k = TInt64.vectorOf(seed, stream)) {
            Session.Runner runner = session.runner().feed(count, n32).feed(key, k);
            outputs.forEach(runner::fetch);
            return runner.run();
        }
    }
}
