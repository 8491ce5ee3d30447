package dev.flowkit.runtime.graph;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteBuffer;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteImportGraphDefOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_GraphImportGraphDef;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_GraphVersions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_ImportGraphDefOptionsAddInputMapping;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewBufferFromString;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewImportGraphDefOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_OperationToNodeDef;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.BytePointer;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.internal.c_api.TF_Buffer;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_ImportGraphDefOptions;
import org.tensorflow.internal.c_api.TF_Output;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.VersionDef;
import org.tensorflow.types.TInt32;

/**
 * Steps k = from … to − 1 of a step function as one loop frame of the enclosing graph (TensorFlow's Enter, Merge,
 * Switch, NextIteration and Exit), so a trajectory of many steps builds and starts in the time of one step.
 *
 * <p>Unlike {@link StepLoop} (a functional While, whose body is a function that cannot reach the enclosing graph's
 * tensors), the step is built by ordinary code in the enclosing graph itself — a network reads its weights as it
 * always does — against stand-ins for k and the state. What depends on the stand-ins is then copied into the frame;
 * everything else the step built or read (weights, constants, a t-independent embedding) is loop-invariant: it runs
 * once per execution, outside the frame, and enters it as a constant. So a step's random draws must be keyed by k (as
 * {@link RandomKey}'s are), never stateful. The stand-ins' own copy stays behind unused (one step's nodes).
 * Forward only: gradients cannot pass through the frame, but a step may take gradients inside itself.
 */
public final class FrameLoop {
    private FrameLoop() {}

    /**
     * Iterations the executor may run at once (step k + 1's draws and table reads can start during step k): TensorFlow's
     * default; 1, 2, 10 and 32 measured level for the U-Net and 2D samplers.
     */
    private static final int PARALLEL_ITERATIONS = 10;

    /** One step: the state after step [k] from the state before it, built with [tf] in the enclosing graph. */
    @FunctionalInterface
    public interface Step {
        List<Operand<?>> apply(Ops tf, Operand<TInt32> k, List<Operand<?>> state);
    }

    /** The state after steps from … to − 1 from [state]; each output keeps its input's type and static shape. */
    public static List<Operand<?>> repeat(Ops tf, int from, int to, List<Operand<?>> state, Step step) {
        Graph graph = (Graph) tf.scope().env();
        String frame = tf.scope().makeOpName("frame_loop"); // with the scope's prefix: unique in the whole graph
        Set<String> before = new HashSet<>();
        graph.operations().forEachRemaining(op -> before.add(op.name()));

        String local = frame.substring(frame.lastIndexOf('/') + 1);
        Ops standIns = tf.withSubScope(local + "_stand_in");
        Placeholder<TInt32> k = standIns.withName("k").placeholder(TInt32.class, Placeholder.shape(Shape.scalar()));
        List<Operand<?>> stateIns = new ArrayList<>();
        for (int j = 0; j < state.size(); j++) stateIns.add(standIn(standIns, "x" + j, state.get(j)));
        List<Operand<?>> after = step.apply(tf.withSubScope(local + "_step"), k, stateIns);
        if (after.size() != state.size()) throw new IllegalStateException("a step returned " + after.size() + " of " + state.size() + " state tensors");

        Frame f = new Frame(frame, graph);
        f.loopVariable("k", tf.constant(from).asOutput(), DataType.DT_INT32);
        for (int j = 0; j < state.size(); j++) f.loopVariable("x" + j, state.get(j).asOutput(), dtype(state.get(j).asOutput()));
        f.control(tf.constant(to).asOutput());
        f.standIn(k.op().name(), f.bodyName("k"));
        for (int j = 0; j < state.size(); j++) f.standIn(stateIns.get(j).op().name(), f.bodyName("x" + j));

        // the step's nodes in creation order (inputs before their consumers), each read on its own: the graph may hold
        // large constants (a data set) that a whole GraphDef would copy
        Iterator<GraphOperation> ops = graph.operations();
        while (ops.hasNext()) {
            GraphOperation op = ops.next();
            if (!before.contains(op.name())) f.copyIfVariant(nodeDef(op));
        }
        f.next("k", f.addOne());
        for (int j = 0; j < after.size(); j++) f.next("x" + j, f.reference(after.get(j).asOutput()));
        f.importInto();

        List<Operand<?>> out = new ArrayList<>();
        for (int j = 0; j < state.size(); j++) {
            Output<?> exit = graph.operation(f.exitName("x" + j)).output(0);
            out.add(withShape(tf, exit, state.get(j).shape()));
        }
        return out;
    }

    private static NodeDef nodeDef(GraphOperation op) {
        TF_Buffer buffer = TF_Buffer.newBuffer();
        TF_Status status = TF_Status.newStatus();
        try {
            TF_OperationToNodeDef(op.getUnsafeNativeHandle(), buffer, status);
            status.throwExceptionIfNotOK();
            return NodeDef.parseFrom(buffer.dataAsByteBuffer());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException("unreadable node " + op.name(), e);
        } finally {
            buffer.delete();
        }
    }

    /** The static shape back on an exit (the frame's back edge leaves shape inference without it). */
    private static Operand<?> withShape(Ops tf, Output<?> exit, Shape shape) {
        return shape.isUnknown() || exit.dataType() == DataType.DT_VARIANT ? exit : tf.ensureShape(exit, shape);
    }

    /** A placeholder of [like]'s type and static shape (by its DataType: a TensorList's variant has no Java class). */
    private static Operand<?> standIn(Ops tf, String name, Operand<?> like) {
        Ops named = tf.withName(name);
        return named.scope().opBuilder("Placeholder", "Placeholder").setAttr("dtype", dtype(like.asOutput()))
                .setAttr("shape", like.shape()).build().output(0);
    }

    private static DataType dtype(Output<?> output) {
        DataType type = output.dataType();
        return type.getNumber() > 100 ? DataType.forNumber(type.getNumber() - 100) : type; // a variable's ref type → its value type
    }

    /** The nodes of one loop frame as a GraphDef, and the enclosing graph's outputs they read (imported as inputs). */
    private static final class Frame {
        private final String name;
        private final Graph graph;
        private final GraphDef.Builder def = GraphDef.newBuilder();
        /** stand-in node name → the body's node for it */
        private final Map<String, String> standIns = new HashMap<>();
        /** copied node's original name → its name in the frame */
        private final Map<String, String> copied = new HashMap<>();
        /** an outside output "node:index" → its Enter in the frame */
        private final Map<String, String> entered = new LinkedHashMap<>();
        private final Map<String, Output<?>> imports = new LinkedHashMap<>();
        private final Map<String, DataType> types = new LinkedHashMap<>();
        private String limit;

        Frame(String name, Graph graph) {
            this.name = name;
            this.graph = graph;
        }

        String bodyName(String variable) {
            return name + "/" + variable;
        }

        String exitName(String variable) {
            return name + "/" + variable + "_exit";
        }

        /** Enter, Merge (closed later by {@link #next}), Switch on the loop condition, the body's Identity and the Exit. */
        void loopVariable(String variable, Output<?> initial, DataType type) {
            types.put(variable, type);
            String enter = enter(name + "/" + variable + "_enter", importName(initial), type, false);
            add(node(name + "/" + variable + "_merge", "Merge", enter, enter).putAttr("T", type(type)).putAttr("N", AttrValue.newBuilder().setI(2).build()));
        }

        /** The condition k < to, after the loop variables are declared. */
        void control(Output<?> to) {
            limit = enter(name + "/limit", importName(to), DataType.DT_INT32, true);
            add(node(name + "/cond", "Less", name + "/k_merge", limit).putAttr("T", type(DataType.DT_INT32)));
            add(node(name + "/loop_cond", "LoopCond", name + "/cond"));
            for (String variable : types.keySet()) {
                DataType type = types.get(variable);
                add(node(name + "/" + variable + "_switch", "Switch", name + "/" + variable + "_merge", name + "/loop_cond").putAttr("T", type(type)));
                add(node(bodyName(variable), "Identity", name + "/" + variable + "_switch:1").putAttr("T", type(type)));
                add(node(exitName(variable), "Exit", name + "/" + variable + "_switch:0").putAttr("T", type(type)));
            }
        }

        void standIn(String node, String body) {
            standIns.put(node, body);
        }

        /** k + 1, its constant tied into the frame by a control input from k. */
        String addOne() {
            add(node(name + "/one", "Const").addInput("^" + bodyName("k")).putAttr("dtype", type(DataType.DT_INT32))
                    .putAttr("value", AttrValue.newBuilder().setTensor(org.tensorflow.proto.TensorProto.newBuilder()
                            .setDtype(DataType.DT_INT32).setTensorShape(org.tensorflow.proto.TensorShapeProto.getDefaultInstance()).addIntVal(1)).build()));
            add(node(name + "/k_plus_one", "AddV2", bodyName("k"), name + "/one").putAttr("T", type(DataType.DT_INT32)));
            return name + "/k_plus_one";
        }

        /** The step's output for [variable] back into its Merge through a NextIteration. */
        void next(String variable, String value) {
            String next = name + "/" + variable + "_next";
            add(node(next, "NextIteration", value).putAttr("T", type(types.get(variable))));
            NodeDef.Builder merge = find(name + "/" + variable + "_merge");
            merge.setInput(1, next);
        }

        /** [node] copied into the frame when it depends on a stand-in (or on a node copied before it). */
        void copyIfVariant(NodeDef node) {
            boolean variant = false;
            for (String input : node.getInputList()) variant |= isVariant(nodeOf(input));
            if (!variant) return;
            NodeDef.Builder copy = node.toBuilder().setName(name + "/body/" + node.getName()).clearInput();
            for (String input : node.getInputList()) {
                if (input.startsWith("^")) {
                    String of = input.substring(1);
                    if (!isVariant(of)) {
                        throw new IllegalStateException("a looped step's node " + node.getName() + " waits on " + of + ", which is outside the loop");
                    }
                    copy.addInput("^" + inFrame(of));
                } else {
                    copy.addInput(reference(input));
                }
            }
            copy.removeAttr("_class"); // colocation with the stand-in copy's nodes
            copied.put(node.getName(), copy.getName());
            add(copy);
        }

        /** The frame's name for an output of the step: its copy, the body's state, or an Enter of an outside value. */
        String reference(Output<?> output) {
            return reference(output.op().name() + ":" + output.index());
        }

        private String reference(String input) {
            String node = nodeOf(input);
            int index = input.contains(":") ? Integer.parseInt(input.substring(input.lastIndexOf(':') + 1)) : 0;
            if (isVariant(node)) return index == 0 && !input.contains(":") ? inFrame(node) : inFrame(node) + ":" + index;
            String key = node + ":" + index;
            String enter = entered.get(key);
            if (enter == null) {
                Output<?> outside = ((GraphOperation) graph.operation(node)).output(index);
                enter = enter(name + "/in" + entered.size(), importName(outside), dtype(outside), true);
                entered.put(key, enter);
            }
            return enter;
        }

        private boolean isVariant(String node) {
            return standIns.containsKey(node) || copied.containsKey(node);
        }

        private String inFrame(String node) {
            return standIns.containsKey(node) ? standIns.get(node) : copied.get(node);
        }

        private static String nodeOf(String input) {
            String s = input.startsWith("^") ? input.substring(1) : input;
            int colon = s.lastIndexOf(':');
            return colon < 0 ? s : s.substring(0, colon);
        }

        /** A name, unused in the GraphDef, under which [output] is imported. */
        private String importName(Output<?> output) {
            String key = "frame_import_" + imports.size();
            imports.put(key, output);
            return key;
        }

        private String enter(String node, String input, DataType type, boolean constant) {
            add(node(node, "Enter", input).putAttr("T", type(type)).putAttr("frame_name", AttrValue.newBuilder().setS(com.google.protobuf.ByteString.copyFromUtf8(name)).build())
                    .putAttr("is_constant", AttrValue.newBuilder().setB(constant).build())
                    .putAttr("parallel_iterations", AttrValue.newBuilder().setI(PARALLEL_ITERATIONS).build()));
            return node;
        }

        private static NodeDef.Builder node(String name, String op, String... inputs) {
            NodeDef.Builder b = NodeDef.newBuilder().setName(name).setOp(op);
            for (String input : inputs) b.addInput(input);
            return b;
        }

        private static AttrValue type(DataType type) {
            return AttrValue.newBuilder().setType(type).build();
        }

        private void add(NodeDef.Builder node) {
            def.addNode(node);
        }

        private NodeDef.Builder find(String node) {
            for (NodeDef.Builder b : def.getNodeBuilderList()) if (b.getName().equals(node)) return b;
            throw new IllegalStateException("no node " + node);
        }

        /**
         * The GraphDef imported into the graph, each outside output mapped in by its import name. It carries the graph's own
         * versions: an import lowers the graph's version to the imported one's, and at version 0 TensorFlow's shape
         * inference takes a scalar placeholder built afterwards for one of unknown shape (a network built after the
         * first loop then took its slower path for a t of unknown rank).
         */
        void importInto() {
            TF_Status status = TF_Status.newStatus();
            TF_ImportGraphDefOptions options = TF_NewImportGraphDefOptions();
            List<TF_Output> outputs = new ArrayList<>();
            try (NativeGraph nativeGraph = NativeGraph.of(graph)) {
                TF_Graph handle = nativeGraph.handle();
                byte[] bytes = def.setVersions(versions(handle)).build().toByteArray();
                for (Map.Entry<String, Output<?>> e : imports.entrySet()) {
                    TF_Output out = new TF_Output().oper(((GraphOperation) e.getValue().op()).getUnsafeNativeHandle()).index(e.getValue().index());
                    outputs.add(out);
                    TF_ImportGraphDefOptionsAddInputMapping(options, e.getKey(), 0, out);
                }
                try (BytePointer pointer = new BytePointer(bytes)) {
                    TF_Buffer buffer = TF_NewBufferFromString(pointer, bytes.length);
                    try {
                        TF_GraphImportGraphDef(handle, buffer, options, status);
                        status.throwExceptionIfNotOK();
                    } finally {
                        TF_DeleteBuffer(buffer);
                    }
                }
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("could not add a loop frame to the graph: " + e, e);
            } finally {
                TF_DeleteImportGraphDefOptions(options);
                outputs.forEach(TF_Output::close);
            }
        }

        private static VersionDef versions(TF_Graph graph) throws com.google.protobuf.InvalidProtocolBufferException {
            TF_Buffer buffer = TF_Buffer.newBuffer();
            TF_Status status = TF_Status.newStatus();
            try {
                TF_GraphVersions(graph, buffer, status);
                status.throwExceptionIfNotOK();
                return VersionDef.parseFrom(buffer.dataAsByteBuffer());
            } finally {
                buffer.delete();
            }
        }
    }
}
