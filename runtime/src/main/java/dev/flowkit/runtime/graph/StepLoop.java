package dev.flowkit.runtime.graph;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.ConcreteFunction;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * A step repeated a number of times known only when the graph runs, as one TensorFlow While loop: the step is built
 * once (not once per step, as an unrolled chain is), so a graph of many steps builds and starts in the time of one.
 * Forward only: TensorFlow's C API has no gradient through a While, but a step may take gradients inside itself
 * (they are ordinary ops of the step's own graph).
 */
public final class StepLoop {
    private StepLoop() {}

    /** One step: the state after step [k] (0-based) from the state before it, with the loop's [constants]. */
    @FunctionalInterface
    public interface Step {
        List<Operand<?>> apply(Ops tf, Operand<TInt32> k, List<Operand<?>> constants, List<Operand<?>> state);
    }

    /**
     * The state after [times] steps from [state]: step k sees k, the [constants] (inputs the same at every step, since a
     * step cannot reach the enclosing graph's tensors) and the state after step k − 1. The state keeps its types.
     */
    public static List<Operand<?>> repeat(Ops tf, Operand<TInt32> times, List<Operand<?>> constants, List<Operand<?>> state, Step step) {
        List<Operand<?>> inputs = new ArrayList<>();
        inputs.add(tf.constant(0));
        inputs.add(times);
        inputs.addAll(constants);
        inputs.addAll(state);
        int fixed = 2 + constants.size();
        try (ConcreteFunction condition = ConcreteFunction.create(g -> {
                 List<Placeholder<?>> in = placeholders(g, inputs);
                 return signature(in, List.of(g.math.less(int32(in.get(0)), int32(in.get(1)))));
             });
             ConcreteFunction body = ConcreteFunction.create(g -> {
                 List<Placeholder<?>> in = placeholders(g, inputs);
                 Operand<TInt32> k = int32(in.get(0));
                 List<Operand<?>> after = step.apply(g, k, List.copyOf(in.subList(2, fixed)), List.copyOf(in.subList(fixed, in.size())));
                 if (after.size() != state.size()) throw new IllegalStateException("a step returned " + after.size() + " of " + state.size() + " state tensors");
                 List<Operand<?>> out = new ArrayList<>();
                 out.add(g.math.add(k, g.constant(1)));
                 for (int i = 1; i < fixed; i++) out.add(g.identity(in.get(i)));
                 out.addAll(after);
                 return signature(in, out);
             })) {
            // lowered to a loop frame of the enclosing graph when it runs (not run as a function call per step): the same
            // speed, and a trace shows the step's ops
            String type = condition.isStateful() || body.isStateful() ? "While" : "StatelessWhile";
            Operation loop = tf.scope().opBuilder(type, type).addInputList(inputs.stream().map(Operand::asOutput).toArray(Output[]::new))
                    .setAttr("cond", condition).setAttr("body", body).setAttr("_lower_using_switch_merge", true).build();
            List<Operand<?>> end = new ArrayList<>();
            for (int i = fixed; i < inputs.size(); i++) end.add(loop.output(i));
            return end;
        }
    }

    @SuppressWarnings("unchecked")
    private static Operand<TInt32> int32(Operand<?> o) {
        return (Operand<TInt32>) o;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static List<Placeholder<?>> placeholders(Ops g, List<Operand<?>> like) {
        List<Placeholder<?>> out = new ArrayList<>();
        for (Operand<?> o : like) out.add(g.placeholder((Class) o.type()));
        return out;
    }

    /** Inputs and outputs by position (a function's arguments are matched to the While's inputs in order). */
    private static Signature signature(List<Placeholder<?>> in, List<? extends Operand<?>> out) {
        Signature.Builder s = Signature.builder();
        for (int i = 0; i < in.size(); i++) s.input(String.format("in%03d", i), in.get(i));
        for (int i = 0; i < out.size(); i++) s.output(String.format("out%03d", i), out.get(i));
        return s.build();
    }
}
