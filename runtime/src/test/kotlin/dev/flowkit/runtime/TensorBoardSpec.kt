package dev.flowkit.runtime

import com.fasterxml.jackson.databind.ObjectMapper
import dev.flowkit.dsl.experiment
import dev.flowkit.runtime.run.RunOptions
import dev.flowkit.runtime.run.TensorBoard
import dev.flowkit.spec.Decay
import io.kotest.core.spec.style.FunSpec
import io.kotest.engine.spec.tempdir
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import java.io.DataInputStream
import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.nio.file.Files
import java.nio.file.Path
import javax.imageio.ImageIO
import kotlin.math.PI
import kotlin.math.cos
import org.tensorflow.proto.Event

/** TensorBoard's event files, read back record by record (TFRecord framing around Event protos). */
class TensorBoardSpec : FunSpec({

    fun events(dir: Path): List<Event> {
        val files = Files.list(dir.resolve("tensorboard")).use { s -> s.filter { it.fileName.toString().startsWith("events.out.tfevents") }.toList() }
        return files.sorted().flatMap { file ->
            val out = mutableListOf<Event>()
            DataInputStream(Files.newInputStream(file)).use { input ->
                while (input.available() > 0) {
                    val header = ByteArray(12).also { input.readFully(it) }
                    val length = ByteBuffer.wrap(header, 0, 8).order(ByteOrder.LITTLE_ENDIAN).long.toInt()
                    val data = ByteArray(length).also { input.readFully(it) }
                    input.readFully(ByteArray(4)) // the data's masked CRC
                    out += Event.parseFrom(data)
                }
            }
            out
        }
    }

    /** tag → (step → value) of every scalar. */
    fun scalars(events: List<Event>): Map<String, Map<Long, Double>> {
        val found = mutableMapOf<String, MutableMap<Long, Double>>()
        for (e in events) for (v in e.summary.valueList) {
            if (v.hasImage()) continue
            val x = if (v.valueCase == org.tensorflow.proto.Summary.Value.ValueCase.SIMPLE_VALUE) v.simpleValue.toDouble()
                else v.tensor.floatValList.single().toDouble()
            found.getOrPut(v.tag) { mutableMapOf() }[e.step] = x
        }
        return found
    }

    test("a run writes its loss and learning rate per log window and its final metrics as TensorBoard scalars") {
        val out = tempdir().toPath()
        val spec = experiment("board") {
            seed = 2
            data { moons() }
            network { mlp(hidden = listOf(32)) }
            train { steps = 100; batchSize = 128; logEvery = 20; checkpointEvery = 50; adam(learningRate = 2e-3, decay = Decay.COSINE) }
            sample { euler(steps = 10); count = 300 }
            evaluate { wasserstein2() }
        }
        Flowkit.create().run(spec, RunOptions.to(out).withPlots(false))
        val values = scalars(events(out))
        val losses = ObjectMapper().readTree(out.resolve("checkpoint/state.json").toFile())["losses"].associate { it[0].asLong() to it[1].asDouble() }
        values["train/loss"]!!.keys shouldBe setOf(20L, 40L, 60L, 80L, 100L)
        for ((step, loss) in losses) values["train/loss"]!![step]!! shouldBe (loss plusOrMinus 1e-6 * Math.abs(loss))
        // cosine decay, read at the step about to be taken: 2e-3 · ½(1 + cos(π k/100))
        for ((step, lr) in values["train/learningRate"]!!) lr shouldBe (2e-3 * 0.5 * (1 + cos(PI * step / 100)) plusOrMinus 1e-8)
        val metrics = ObjectMapper().readTree(out.resolve("metrics.json").toFile())["metrics"]
        values["metrics/wasserstein2"]!![100L]!! shouldBe (metrics["wasserstein2"].asDouble() plusOrMinus 1e-6)
        values["metrics/wasserstein2Floor"]!![100L]!! shouldBe (metrics["wasserstein2Floor"].asDouble() plusOrMinus 1e-6)
    }

    test("images are written as PNGs of their pixels, low black and high white") {
        val out = tempdir().toPath()
        TensorBoard(out).use { board ->
            // two 2×3 grey images: a ramp and its reverse, on [−1, 1]
            val ramp = floatArrayOf(-1f, -0.5f, 0f, 0.5f, 1f, 2f)
            board.images("ramps", 7, arrayOf(ramp, ramp.reversedArray()), 2, 3, 1, -1.0, 1.0, 16)
        }
        val images = events(out).flatMap { e -> e.summary.valueList.filter { it.hasImage() }.map { e.step to it } }
        images.size shouldBe 2
        images.map { it.first }.toSet() shouldBe setOf(7L)
        val first = images.first { it.second.tag.endsWith("/0") || images.size == 1 }.second.image
        first.height shouldBe 2
        first.width shouldBe 3
        val png = ImageIO.read(first.encodedImageString.newInput())
        val grey = (0 until 6).map { i -> png.raster.getSample(i % 3, i / 3, 0) }
        grey shouldBe listOf(0, 64, 128, 191, 255, 255) // 255 · (v + 1)/2, clipped
    }
})
