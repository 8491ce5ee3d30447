package dev.flowkit.runtime

import dev.flowkit.runtime.output.Plots
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.longs.shouldBeGreaterThan
import java.nio.file.Files
import javax.imageio.ImageIO
import io.kotest.matchers.shouldBe

/** The study's bar charts draw values spanning more than 20 × (XChart refuses a log axis for bars), with or without floors. */
class PlotsSpec : FunSpec({
    test("a comparison whose values span 23 × (the φ⁴ study's mean L1 errors, d = 8 … 64) draws a PNG with its noise floors") {
        val dir = Files.createTempDirectory("plots")
        val file = dir.resolve("meanL1Error.png")
        Plots.comparison(file, "phi4: meanL1Error", "variant", "meanL1Error", listOf("phi4-d8", "phi4-d16", "phi4-d32", "phi4-d64"),
            mapOf("meanL1Error" to doubleArrayOf(0.0185, 0.0515, 0.2675, 0.4381)), doubleArrayOf(0.0211, 0.1209, 0.1107, 0.1535))
        Files.size(file) shouldBeGreaterThan 1000L
        ImageIO.read(file.toFile()).width shouldBe 800
        Plots.comparison(dir.resolve("no-floor.png"), "t", "variant", "m", listOf("a", "b"), mapOf("m" to doubleArrayOf(0.01, 1.0)), null)
        Files.size(dir.resolve("no-floor.png")) shouldBeGreaterThan 1000L
        dir.toFile().deleteRecursively()
    }
})
