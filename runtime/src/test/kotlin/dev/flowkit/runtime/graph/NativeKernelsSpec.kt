package dev.flowkit.runtime.graph

import dev.flowkit.runtime.graph
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import java.io.File
import kotlin.math.abs
import kotlin.math.max

/** The native kernels give the numbers of the TensorFlow compositions they replace. */
class NativeKernelsSpec : FunSpec({
    test("the kernels are loaded where they can be: built into the jar, x86-64 Linux, a CPU with AVX2 and FMA") {
        val built = NativeKernels::class.java.getResource("/native/linux-x86_64/libflowkit_kernels.so") != null
        val flags = File("/proc/cpuinfo").takeIf { it.exists() }?.readLines()?.firstOrNull { it.startsWith("flags") }.orEmpty().split(" ")
        val usable = built && "avx2" in flags && "fma" in flags && System.getenv("FLOWKIT_NATIVE") != "0" && System.getenv("FLOWKIT_GPU") != "1"
        for (op in listOf(NativeKernels.BOX_MULLER_NORMAL, NativeKernels.BANDED_MATMUL, NativeKernels.GROUP_NORM, NativeKernels.GROUP_NORM_GRAD,
            NativeKernels.DENSE, NativeKernels.DENSE_GRAD, NativeKernels.SILU_GRAD)) {
            NativeKernels.has(op) shouldBe usable
        }
        if (usable) NativeKernels.status() shouldBe "loaded"
    }

    if (NativeKernels.has(NativeKernels.BOX_MULLER_NORMAL)) {
        // odd and even rows, a single column (no sines), rank 1 and 3, tails shorter than a chunk and than 32 pairs
        for ((shape, scale) in listOf(intArrayOf(999, 201) to 1.0, intArrayOf(4096, 64) to 0.37, intArrayOf(7, 1) to 2.0,
            intArrayOf(1001) to 1.0, intArrayOf(5, 3, 7) to 1.0, intArrayOf(3, 2) to 1.0)) {
            test("Box–Muller by the kernel equals the TensorFlow composition, shape ${shape.toList()}, scale $scale") {
                graph {
                    val key = RandomKey.of(tf, 12, 34).derive(5)
                    val native = flat(key.nativeBoxMuller(tf, tf.constant(shape), 3, scale))
                    val composed = flat(key.composedBoxMuller(tf, tf.constant(shape), 3, scale))
                    native.size shouldBe shape.fold(1, Int::times)
                    closeness(native, composed, scale) shouldBeLessThan 2e-6
                }
            }
        }

        test("a block of rows drawn by the kernel is those rows of the whole batch's composed draw") {
            graph {
                val key = RandomKey.of(tf, 8, 1)
                val whole = flat(key.composedBoxMuller(tf, tf.constant(intArrayOf(40, 10)), 2, 0.5))
                val block = flat(key.rows(tf.constant(12)).nativeBoxMuller(tf, tf.constant(intArrayOf(20, 10)), 2, 0.5))
                closeness(block, whole.copyOfRange(120, 320), 0.5) shouldBeLessThan 2e-6
            }
        }

        test("the banded product equals TensorFlow's MatMul: a chain's Laplacian, a skewed band, points of rank 3") {
            graph {
                val rng = java.util.Random(5)
                val d = 64
                val laplacian = Array(d) { i -> DoubleArray(d) { j -> if (i == j) 2.5 else if (abs(i - j) == 1) -1.0 else 0.0 } }
                val skewed = Array(d) { i -> DoubleArray(d) { j -> if (i - j in setOf(-2, 1, 5)) rng.nextGaussian() else 0.0 } }
                for (m in listOf(laplacian, skewed)) {
                    val x = tf.constant(Array(300) { FloatArray(d) { rng.nextGaussian().toFloat() } })
                    val y = ConstantMatMul.apply(tf, x, m)
                    y.asOutput().op().type() shouldBe NativeKernels.BANDED_MATMUL
                    y.shape().asArray().toList() shouldBe listOf(300L, d.toLong())
                    val dense = tf.linalg.matMul(x, tf.constant(Tensors.toFloat(m)))
                    closeness(flat(y), flat(dense), 1.0) shouldBeLessThan 1e-6
                }
                val points = tf.constant(Array(4) { Array(5) { FloatArray(d) { rng.nextGaussian().toFloat() } } })
                val y3 = ConstantMatMul.apply(tf, points, laplacian)
                y3.shape().asArray().toList() shouldBe listOf(4L, 5L, d.toLong())
                closeness(flat(y3), flat(tf.linalg.matMul(tf.reshape(points, tf.constant(intArrayOf(20, d))), tf.constant(Tensors.toFloat(laplacian)))), 1.0) shouldBeLessThan 1e-6
            }
        }

        test("a dense or non-square matrix stays TensorFlow's MatMul") {
            graph {
                val x = tf.constant(Array(3) { FloatArray(8) { it.toFloat() } })
                val dense = Array(8) { i -> DoubleArray(8) { j -> 1.0 + i + j } }
                ConstantMatMul.apply(tf, x, dense).asOutput().op().type() shouldBe "MatMul"
                ConstantMatMul.apply(tf, x, Array(8) { DoubleArray(2) { 1.0 } }).asOutput().op().type() shouldBe "MatMul"
            }
        }

        test("no rows give an empty draw; a counter of the wrong size is refused with a message naming it") {
            graph {
                flat(RandomKey.of(tf, 1, 1).nativeBoxMuller(tf, tf.constant(intArrayOf(0, 64)), 1, 1.0)).size shouldBe 0
                val philox = org.tensorflow.op.random.StatelessRandomGetKeyCounter.create(tf.scope(), tf.constant(longArrayOf(1, 2)))
                val key = philox.key().asOutput()
                // the key, uint64 [1], where a counter (uint64 [2]) belongs
                val op = tf.scope().opBuilder(NativeKernels.BOX_MULLER_NORMAL, "Bad").addInput(tf.constant(intArrayOf(4, 4)).asOutput())
                    .addInput(key).addInput(key).addInput(key).addInput(key).build()
                val out = op.output<org.tensorflow.types.TFloat32>(0)
                shouldThrow<Exception> { flat(out) }.message.orEmpty() shouldContain "counter1 must be uint64 [2]"
            }
        }
    }
})

/**
 * The largest difference of [a] and [b] relative to max([scale], |b|): the draws' float rounding is relative to their
 * radius, and a value near 0 can have a large radius.
 */
private fun closeness(a: FloatArray, b: FloatArray, scale: Double): Double {
    a.size shouldBe b.size
    var worst = 0.0
    for (i in a.indices) worst = max(worst, abs(a[i].toDouble() - b[i]) / max(scale, abs(b[i].toDouble())))
    return worst
}
