package dev.flowkit.spark;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetConfig;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetTarget;

import dev.flowkit.runtime.graph.NativeGraph;
import java.lang.reflect.Constructor;
import org.bytedeco.javacpp.BytePointer;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.proto.ConfigProto;

/**
 * A session on a TensorFlow server ("grpc://host:port"). TensorFlow Java's public constructors only make in-process
 * sessions, so this one is made through the C API (TF_SetTarget) and wrapped in a {@link Session} by its
 * package-private constructor; it then runs, saves and restores like any other session.
 */
final class RemoteSession {
    private RemoteSession() {}

    static Session open(Graph graph, String target, ConfigProto config) {
        try (NativeGraph nativeGraph = NativeGraph.of(graph)) {
            TF_Status status = TF_Status.newStatus();
            TF_SessionOptions options = TF_NewSessionOptions();
            try {
                TF_SetTarget(options, target);
                byte[] bytes = config.toByteArray();
                try (BytePointer pointer = new BytePointer(bytes)) {
                    TF_SetConfig(options, pointer, bytes.length, status);
                }
                status.throwExceptionIfNotOK();
                TF_Session session = TF_NewSession(nativeGraph.handle(), options, status);
                status.throwExceptionIfNotOK();
                Constructor<Session> wrap = Session.class.getDeclaredConstructor(Graph.class, TF_Session.class);
                wrap.setAccessible(true);
                return wrap.newInstance(graph, session);
            } finally {
                TF_DeleteSessionOptions(options);
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this TensorFlow Java cannot open a session on " + target + ": " + e, e);
        }
    }
}
