package dev.flowkit.runtime

import dev.flowkit.runtime.compiler.SessionOptions
import dev.flowkit.runtime.graph.Tensors
import org.tensorflow.Graph
import org.tensorflow.Operand
import org.tensorflow.Session
import org.tensorflow.op.Ops
import org.tensorflow.types.TFloat32

/** A throwaway graph and session for tests: build ops with [tf], evaluate them with [eval]; closed by [use]. */
class GraphHarness : AutoCloseable {
    private val graph = Graph()
    val tf: Ops = Ops.create(graph)
    private val session by lazy { Session(graph, SessionOptions.DEFAULT.toConfig()).also { it.initialize() } }

    fun constant(values: Array<FloatArray>): Operand<TFloat32> = tf.constant(values)
    fun scalar(v: Double): Operand<TFloat32> = tf.constant(v.toFloat())

    /** Evaluates a [n, d] operand. */
    fun matrix(op: Operand<TFloat32>): Array<FloatArray> =
        session.runner().fetch(op).run().use { Tensors.toMatrix(it.get(0)) }

    /** Evaluates an operand of any shape into a flat array. */
    fun flat(op: Operand<TFloat32>): FloatArray = session.runner().fetch(op).run().use { r ->
        val t = r.get(0) as TFloat32
        val out = FloatArray(t.size().toInt())
        var i = 0
        t.scalars().forEach { out[i++] = it.getFloat() }
        out
    }

    fun value(op: Operand<TFloat32>): Double = flat(op).single().toDouble()

    val rawSession: Session get() = session

    override fun close() {
        session.close()
        graph.close()
    }
}

inline fun <T> graph(block: GraphHarness.() -> T): T = GraphHarness().use { it.block() }

/**
 * Runs [sampler] with [model] from [n] draws of [source] (keyed by [seed]) in this harness's graph, recording the state
 * every [recordEvery] steps (by default the end only, so alike steps run as loops).
 */
fun GraphHarness.runSampler(
    sampler: dev.flowkit.runtime.samplers.Sampler,
    model: dev.flowkit.runtime.model.Model,
    path: dev.flowkit.runtime.paths.ProbabilityPath,
    source: dev.flowkit.runtime.distributions.Distribution,
    n: Int,
    seed: Long = 11,
    withTrajectory: Boolean = false,
    recordEvery: Int = Int.MAX_VALUE,
): dev.flowkit.runtime.samplers.SampleRun {
    val draw = dev.flowkit.runtime.compiler.RandomDraw(tf)
    val x0 = source.sample(tf, draw.count(), draw.key())
    val program = sampler.compile(tf, dev.flowkit.runtime.samplers.SamplingInput(model, path, x0, draw.key().derive(6), recordEvery))
    return draw.feeds(n, seed, 0).use { feeds -> program.run(rawSession, feeds::apply, withTrajectory) }
}
