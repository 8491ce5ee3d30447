package dev.flowkit.runtime

import dev.flowkit.runtime.graph.RandomKey
import dev.flowkit.runtime.graph.Tensors
import dev.flowkit.runtime.model.ModelContext
import dev.flowkit.runtime.model.TrainableModel
import dev.flowkit.runtime.networks.unet.UnetNetwork
import dev.flowkit.runtime.paths.GaussianPath
import dev.flowkit.runtime.schedules.Linear
import dev.flowkit.spec.Padding
import dev.flowkit.spec.Prediction
import dev.flowkit.spec.Unet
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.doubles.shouldBeGreaterThan
import io.kotest.matchers.shouldBe
import org.tensorflow.Operand
import org.tensorflow.op.core.Placeholder
import org.tensorflow.types.TFloat32
import java.util.Random
import kotlin.math.abs

/** The U-Net: output shapes at even and odd sizes, the tutorial preset's parameter count, and gradients against finite differences. */
class UnetSpec : FunSpec({
    fun GraphHarness.build(spec: Unet, image: List<Int>, classes: Int = 0): TrainableModel =
        UnetNetwork(spec).build(tf, ModelContext(image.reduce(Int::times), classes, Prediction.NOISE, GaussianPath(Linear()),
            RandomKey.of(tf, 5, -1), image))

    fun GraphHarness.output(model: TrainableModel, x: Array<FloatArray>, t: Double, labels: IntArray? = null): Array<FloatArray> =
        matrix(model.given(labels?.let { tf.constant(it) }).predict(tf, Prediction.NOISE, constant(x), scalar(t)))

    fun images(n: Int, dim: Int, seed: Long = 1) = Random(seed).let { r -> Array(n) { FloatArray(dim) { r.nextGaussian().toFloat() } } }

    test("the score-SDE tutorial's ScoreNet preset has its 1,115,297 trainable parameters and maps 28×28 images to 28×28") {
        graph {
            val model = build(Unet.scoreNet(), listOf(28, 28, 1))
            model.variables().sumOf { it.shape().size() } shouldBe 1_115_297L
            val out = output(model, images(3, 784), 0.4)
            out.size shouldBe 3
            out[0].size shouldBe 784
            out.all { row -> row.all { it.isFinite() } } shouldBe true
        }
    }

    test("U-Nets keep the image shape at 8×8 and at 28×28 with odd level sizes (28 → 14 → 7 → 4 and back), both paddings") {
        val small = Unet(channels = listOf(4, 8), blocks = 1, embedding = 8, groups = 2, attention = listOf(1))
        graph {
            small.sizes(8, 8) shouldBe listOf(8 to 8, 4 to 4)
            output(build(small, listOf(8, 8, 1)), images(2, 64), 0.3)[1].size shouldBe 64
            val deep = Unet(channels = listOf(4, 4, 8, 8), blocks = 1, embedding = 8, groups = 4)
            deep.sizes(28, 28) shouldBe listOf(28 to 28, 14 to 14, 7 to 7, 4 to 4)
            output(build(deep, listOf(28, 28, 3)), images(2, 28 * 28 * 3), 0.7)[0].size shouldBe 28 * 28 * 3
            val valid = deep.copy(padding = Padding.VALID, blocks = 0)
            valid.sizes(28, 28) shouldBe listOf(26 to 26, 12 to 12, 5 to 5, 2 to 2)
            output(build(valid, listOf(28, 28, 1)), images(2, 784), 0.7)[0].size shouldBe 784
        }
    }

    test("class labels change the output through the embedding; no label means the null class") {
        val spec = Unet(channels = listOf(4, 8), blocks = 1, embedding = 8, groups = 2)
        graph {
            val model = build(spec, listOf(8, 8, 1), classes = 3)
            val x = images(2, 64)
            val a = output(model, x, 0.5, intArrayOf(0, 0))
            val b = output(model, x, 0.5, intArrayOf(1, 1))
            val none = output(model, x, 0.5)
            val nullClass = output(model, x, 0.5, intArrayOf(3, 3))
            a.zip(b).maxOf { (p, q) -> p.indices.maxOf { abs(p[it] - q[it]).toDouble() } } shouldBeGreaterThan 1e-4
            none.zip(nullClass).forEach { (p, q) -> p.indices.forEach { p[it].toDouble() shouldBe (q[it].toDouble() plusOrMinus 1e-5) } }
        }
    }

    test("dropout acts in training only: evaluation is deterministic, training draws differ by key") {
        val spec = Unet(channels = listOf(4, 8), blocks = 1, embedding = 8, groups = 2, dropout = 0.5)
        graph {
            val model = build(spec, listOf(8, 8, 1))
            val x = images(2, 64)
            val eval = output(model, x, 0.5)
            output(model, x, 0.5).contentDeepEquals(eval) shouldBe true
            val trainA = matrix(model.forTraining(RandomKey.of(tf, 1, 1)).given(null).predict(tf, Prediction.NOISE, constant(x), scalar(0.5)))
            val trainB = matrix(model.forTraining(RandomKey.of(tf, 1, 2)).given(null).predict(tf, Prediction.NOISE, constant(x), scalar(0.5)))
            trainA.contentDeepEquals(eval) shouldBe false
            trainA.contentDeepEquals(trainB) shouldBe false
        }
    }

    test("TensorFlow's gradients with respect to the input and to every kind of weight match central finite differences") {
        // a tiny configuration with every block: residual blocks, attention, stride-2 and transposed convolutions, GroupNorm
        val spec = Unet(channels = listOf(4, 8), blocks = 1, embedding = 8, groups = 2, attention = listOf(1), fourierScale = 1.0)
        graph {
            val model = build(spec, listOf(6, 6, 1))
            val input = tf.placeholder(TFloat32::class.java, Placeholder.shape(org.tensorflow.ndarray.Shape.of(-1, 36)))
            val out = model.given(null).predict(tf, Prediction.NOISE, input, scalar(0.3))
            val weights = constant(Array(2) { n -> FloatArray(36) { ((it * 7 + n * 3) % 11 - 5) / 5f } })
            val objective = tf.reduceSum(tf.math.mul(out, weights), tf.constant(intArrayOf(0, 1)))
            val x = images(2, 36, seed = 9)
            // the input, and from each variable kind a few entries: filters, GroupNorm γ, dense, attention
            val variables = model.variables()
            val targets: List<Operand<TFloat32>> = listOf(input) + variables
            val gradients = tf.gradients(objective, targets)
            fun run(feedX: Array<FloatArray>, variable: Int = -1, values: FloatArray? = null, fetch: Operand<TFloat32>): FloatArray =
                Tensors.matrix(feedX).use { fed ->
                    val runner = rawSession.runner().feed(input, fed)
                    val override = values?.let { TFloat32.tensorOf(variables[variable].shape(), org.tensorflow.ndarray.buffer.DataBuffers.of(*it)) }
                    if (override != null) runner.feed(variables[variable], override)
                    runner.fetch(fetch).run().use { r ->
                        val tensor = r.get(0) as TFloat32
                        FloatArray(tensor.size().toInt()).also { a -> var k = 0; tensor.scalars().forEach { a[k++] = it.getFloat() } }
                    }.also { override?.close() }
                }
            val eps = 1e-2f
            // input
            val dx = run(x, fetch = gradients.dy(0))
            for (i in listOf(0, 7, 20, 35, 36 + 11)) {
                val plus = x.map { it.copyOf() }.toTypedArray().also { it[i / 36][i % 36] += eps }
                val minus = x.map { it.copyOf() }.toTypedArray().also { it[i / 36][i % 36] -= eps }
                val fd = (run(plus, fetch = objective)[0] - run(minus, fetch = objective)[0]) / (2 * eps)
                dx[i].toDouble() shouldBe (fd.toDouble() plusOrMinus 2e-2 * (1 + abs(fd.toDouble())))
            }
            // weights: every variable, two entries each
            var checked = 0
            for (v in variables.indices) {
                val current = flat(variables[v])
                val dv = run(x, fetch = gradients.dy(v + 1))
                for (i in listOf(0, current.size / 2)) {
                    val plus = current.copyOf().also { it[i] += eps }
                    val minus = current.copyOf().also { it[i] -= eps }
                    val fd = (run(x, v, plus, objective)[0] - run(x, v, minus, objective)[0]) / (2 * eps)
                    dv[i].toDouble() shouldBe (fd.toDouble() plusOrMinus 2e-2 * (1 + abs(fd.toDouble())))
                    checked++
                }
            }
            checked shouldBe 2 * variables.size
        }
    }
})
