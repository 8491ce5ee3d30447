package dev.flowkit.runtime

import dev.flowkit.runtime.graph.RandomKey
import dev.flowkit.runtime.model.ModelContext
import dev.flowkit.runtime.networks.MlpNetwork
import dev.flowkit.runtime.objectives.DataPredictionLoss
import dev.flowkit.runtime.objectives.FlowAndScoreMatchingLoss
import dev.flowkit.runtime.objectives.FlowMatchingLoss
import dev.flowkit.runtime.objectives.Loss
import dev.flowkit.runtime.objectives.NoisePredictionLoss
import dev.flowkit.runtime.objectives.Objective
import dev.flowkit.runtime.objectives.ScoreMatchingLoss
import dev.flowkit.runtime.objectives.TrainingTimes
import dev.flowkit.runtime.paths.GaussianPath
import dev.flowkit.runtime.schedules.VariancePreserving
import dev.flowkit.spec.Activation
import dev.flowkit.spec.Mlp
import dev.flowkit.spec.Prediction
import dev.flowkit.spec.Weighting
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.shouldBeLessThan
import io.kotest.matchers.shouldBe
import org.tensorflow.types.TFloat32
import java.util.Random
import kotlin.math.abs
import kotlin.math.max

/**
 * A regression loss's gradient started at its closed-form seed ∂loss/∂prediction (what training differentiates) equals
 * TensorFlow's gradient of the loss's value, for every objective, with λ(t) weightings, reweighted time draws and blocks
 * of rows weighted into one batch loss.
 */
class LossSpec : FunSpec({
    val path = GaussianPath(VariancePreserving(0.1, 20.0))
    val objectives: List<Pair<String, Pair<Objective, Prediction>>> = listOf(
        "flow matching" to (FlowMatchingLoss() to Prediction.VELOCITY),
        "score matching, λ = β²" to (ScoreMatchingLoss(Weighting.NOISE_VARIANCE, 0.99) to Prediction.SCORE),
        "score matching, λ = g², log-SNR times (reweighted)" to (ScoreMatchingLoss(Weighting.DIFFUSION, TrainingTimes.logSnr(0.99)) to Prediction.NOISE),
        "noise prediction" to (NoisePredictionLoss() to Prediction.NOISE),
        "data prediction" to (DataPredictionLoss() to Prediction.DATA),
        "flow and score matching (score converted from velocity)" to (FlowAndScoreMatchingLoss(Weighting.NONE) to Prediction.VELOCITY),
    )
    for ((name, pair) in objectives) {
        val (objective, predicts) = pair
        test("$name: the seeded gradient equals the gradient of the loss, for one block and for two weighted into one") {
            graph {
                val random = Random(3)
                val z = constant(Array(40) { FloatArray(2) { (2 * random.nextGaussian()).toFloat() } })
                val x0 = constant(Array(40) { FloatArray(2) { random.nextGaussian().toFloat() } })
                val network = MlpNetwork(Mlp(listOf(16, 16), Activation.SILU, predicts))
                val model = network.build(tf, ModelContext(2, 0, predicts, path, RandomKey.of(tf, 1, 2)))
                val key = RandomKey.of(tf, 5, 6)
                // one block of 40 rows, and rows [0, 24) and [24, 40) weighted by their share as the compiler does
                val whole = objective.differentiable(tf, z, x0, path, model.given(null), key)
                val blocks = listOf(0 to 24, 24 to 16).map { (first, rows) ->
                    val slice = { x: org.tensorflow.Operand<TFloat32> -> tf.slice(x, tf.constant(intArrayOf(first, 0)), tf.constant(intArrayOf(rows, 2))) }
                    objective.differentiable(tf, slice(z), slice(x0), path, model.given(null), key.rows(tf.constant(first)))
                        .times(tf, tf.constant(rows / 40f))
                }
                for (loss in listOf(whole, Loss.sum(tf, blocks))) {
                    val seeded = loss.gradients(tf, model.variables())
                    val direct = tf.gradients(loss.value(), model.variables())
                    model.variables().indices.forEach { i ->
                        val a = flat(seeded.dy<TFloat32>(i))
                        val b = flat(direct.dy<TFloat32>(i))
                        val scale = b.maxOf { abs(it) }.toDouble()
                        scale shouldBeLessThan 1e9 // finite, and the comparison below is relative to it
                        val worst = a.indices.maxOf { abs(a[it] - b[it]).toDouble() } / max(scale, 1e-12)
                        worst shouldBeLessThan 1e-5
                    }
                }
                // the value is the loss TensorFlow differentiates, unchanged: the plain loss of the same draws
                value(whole.value()) shouldBe value(objective.loss(tf, z, x0, path, model.given(null), key))
            }
        }
    }
})
