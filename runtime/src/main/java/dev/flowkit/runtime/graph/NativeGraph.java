package dev.flowkit.runtime.graph;

import java.lang.reflect.Method;
import org.tensorflow.Graph;
import org.tensorflow.internal.c_api.TF_Graph;

/**
 * A graph's TF_Graph for C API calls TensorFlow Java does not wrap (a remote session, importing a GraphDef with input
 * mappings), held through the graph's own reference (package-private in TensorFlow Java, so reached by reflection)
 * until closed, so the graph cannot be freed under the call.
 */
public final class NativeGraph implements AutoCloseable {
    private final AutoCloseable reference;
    private final TF_Graph handle;

    private NativeGraph(AutoCloseable reference, TF_Graph handle) {
        this.reference = reference;
        this.handle = handle;
    }

    public static NativeGraph of(Graph graph) {
        try {
            Method ref = Graph.class.getDeclaredMethod("ref");
            ref.setAccessible(true);
            AutoCloseable reference = (AutoCloseable) ref.invoke(graph);
            Method handle = reference.getClass().getDeclaredMethod("nativeHandle");
            handle.setAccessible(true);
            return new NativeGraph(reference, (TF_Graph) handle.invoke(reference));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this TensorFlow Java does not expose its graph to the C API: " + e, e);
        }
    }

    public TF_Graph handle() {
        return handle;
    }

    @Override
    public void close() {
        try {
            reference.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
