package dev.flowkit.spec

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.datatest.withData
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldStartWith

/**
 * Every wrong spec is rejected before any graph is built, with a message that names the field by
 * its path and says what is allowed.
 */
class ValidationSpec : FunSpec({

    val valid = """
        {"name": "moons", "seed": 7,
         "data": {"type": "moons", "noise": 0.05, "scale": 3.0},
         "path": {"type": "gaussian", "schedule": {"type": "linear"}},
         "network": {"type": "mlp", "hidden": [64, 64], "activation": "silu"},
         "train": {"objective": {"type": "flow-matching"}, "steps": 100, "batchSize": 100,
                   "optimizer": {"type": "adam", "learningRate": 0.001}},
         "sample": {"sampler": {"type": "euler", "steps": 10}, "count": 100},
         "evaluate": [{"type": "wasserstein2"}, {"type": "mmd"}]}
    """.trimIndent()

    /** [valid] with one JSON fragment replaced. */
    fun variant(from: String, to: String): String {
        require(valid.contains(from)) { "test setup: '$from' not in the valid spec" }
        return valid.replace(from, to)
    }

    test("the valid spec is accepted") {
        SpecJson().decode(valid).train.steps shouldBe 100
    }

    // a float32 .npy file of 20 rows × 2 (values unread by validation: the header gives the shape)
    val floats = java.nio.file.Files.createTempFile("rows", ".npy").also { file ->
        val dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (20, 2), }"
        val header = dict + " ".repeat((64 - (10 + dict.length + 1) % 64) % 64) + "\n"
        val bytes = java.nio.ByteBuffer.allocate(10 + header.length + 160).order(java.nio.ByteOrder.LITTLE_ENDIAN)
        bytes.put(byteArrayOf(0x93.toByte(), 'N'.code.toByte(), 'U'.code.toByte(), 'M'.code.toByte(), 'P'.code.toByte(), 'Y'.code.toByte(), 1, 0))
        bytes.putShort(header.length.toShort()).put(header.toByteArray())
        java.nio.file.Files.write(file, bytes.array())
    }
    val moons = "\"type\": \"moons\", \"noise\": 0.05, \"scale\": 3.0"

    /** A .npy file of [shape] with unsigned bytes (values unread by validation unless they are labels). */
    fun bytes(shape: List<Int>, values: (Int) -> Int = { 0 }): java.nio.file.Path = java.nio.file.Files.createTempFile("bytes", ".npy").also { file ->
        val dict = "{'descr': '|u1', 'fortran_order': False, 'shape': (${shape.joinToString(", ")}${if (shape.size == 1) "," else ""}), }"
        val header = dict + " ".repeat((64 - (10 + dict.length + 1) % 64) % 64) + "\n"
        val n = shape.reduce(Int::times)
        val buffer = java.nio.ByteBuffer.allocate(10 + header.length + n).order(java.nio.ByteOrder.LITTLE_ENDIAN)
        buffer.put(byteArrayOf(0x93.toByte(), 'N'.code.toByte(), 'U'.code.toByte(), 'M'.code.toByte(), 'P'.code.toByte(), 'Y'.code.toByte(), 1, 0))
        buffer.putShort(header.length.toShort()).put(header.toByteArray())
        for (i in 0 until n) buffer.put(values(i).toByte())
        java.nio.file.Files.write(file, buffer.array())
    }
    val images = bytes(listOf(40, 8, 8))
    val labels = bytes(listOf(40)) { it % 4 }
    val imageData = "\"type\": \"dataset\", \"file\": \"$images\", \"heldOut\": 0.5"
    val mlp = "{\"type\": \"mlp\", \"hidden\": [64, 64], \"activation\": \"silu\"}"

    data class Bad(val what: String, val json: String, val field: String, val says: String) {
        override fun toString() = what
    }

    withData(
        Bad("negative steps", variant("\"steps\": 100", "\"steps\": -5"), "train.steps", "must be > 0, was -5"),
        Bad("zero batch size", variant("\"batchSize\": 100", "\"batchSize\": 0"), "train.batchSize", "must be > 0"),
        Bad("unknown data type", variant("\"type\": \"moons\"", "\"type\": \"spiral\""), "data.type",
            "unknown type 'spiral'; allowed: gaussian, gaussian-mixture, circle, moons, circles, checkerboard, uniform, dataset"),
        Bad("unknown schedule", variant("\"type\": \"linear\"}", "\"type\": \"exponential\"}"), "path.schedule.type",
            "allowed: linear, cosine, sqrt, polynomial, vp, sub-vp, ve"),
        Bad("vp with betaMax below betaMin", variant("\"type\": \"linear\"}", "\"type\": \"vp\", \"betaMin\": 5, \"betaMax\": 1}"),
            "path.schedule.betaMax", "must be > betaMin (5.0) and <= 1000, was 1.0"),
        Bad("unknown sampler", variant("\"type\": \"euler\"", "\"type\": \"leapfrog\""), "sample.sampler.type",
            "allowed: euler, heun, midpoint, rk4, dopri5, euler-maruyama, langevin, pc, dpm-solver, edm-heun"),
        Bad("unknown field", variant("\"batchSize\": 100", "\"batchSize\": 100, \"epochs\": 3"), "train.epochs",
            "unknown field; allowed fields here: objective, steps, batchSize, optimizer, logEvery, checkpointEvery, labelDropout"),
        Bad("unknown field in a component", variant("\"noise\": 0.05", "\"noise\": 0.05, \"radius\": 2"), "data.radius",
            "unknown field; allowed fields here: noise, scale"),
        Bad("unknown activation", variant("\"silu\"", "\"swish\""), "network.activation",
            "unknown value 'swish'; allowed: silu, relu, tanh, elu, softplus"),
        Bad("missing data", valid.replace(Regex(""""data": \{[^}]*},"""), ""), "data", "is required but missing"),
        Bad("missing type tag", variant("{\"type\": \"wasserstein2\"}", "{}"), "evaluate[0].type", "is required"),
        Bad("missing required component field", variant("\"type\": \"moons\", \"noise\": 0.05, \"scale\": 3.0", "\"type\": \"gaussian\""),
            "data.dim", "is required but missing"),
        Bad("negative learning rate", variant("\"learningRate\": 0.001", "\"learningRate\": -0.1"),
            "train.optimizer.learningRate", "must be a finite number > 0, was -0.1"),
        Bad("beta out of range", variant("\"learningRate\": 0.001", "\"learningRate\": 0.001, \"betas\": [0.9, 1.5]"),
            "train.optimizer.betas[1]", "must be in [0.0, 1.0), was 1.5"),
        Bad("zero sampler steps", variant("\"steps\": 10", "\"steps\": 0"), "sample.sampler.steps", "must be between 1 and 10000"),
        Bad("negative churn", variant("\"type\": \"euler\", \"steps\": 10", "\"type\": \"edm-heun\", \"steps\": 10, \"churn\": -1"),
            "sample.sampler.churn", "must be finite and >= 0"),
        Bad("churn window upside down", variant("\"type\": \"euler\", \"steps\": 10", "\"type\": \"edm-heun\", \"steps\": 10, \"churn\": 5, \"churnSigmaMin\": 2, \"churnSigmaMax\": 1"),
            "sample.sampler.churnSigmaMax", "must be > churnSigmaMin (2.0) or null"),
        Bad("empty hidden layers", variant("[64, 64]", "[]"), "network.hidden", "must list at least one hidden layer width"),
        Bad("negative layer width", variant("[64, 64]", "[64, -3]"), "network.hidden[1]", "must be > 0, was -3"),
        Bad("source dimension mismatch", variant("\"seed\": 7,", "\"seed\": 7, \"source\": {\"type\": \"gaussian\", \"dim\": 3},"),
            "source.dim", "must equal the data's dimension (2), was 3"),
        Bad("gaussian path from a non-Gaussian source", variant("\"seed\": 7,", "\"seed\": 7, \"source\": {\"type\": \"circles\"},"),
            "source", "use path linear() to start from any other distribution"),
        Bad("odd checkerboard", variant("\"type\": \"moons\", \"noise\": 0.05, \"scale\": 3.0", "\"type\": \"checkerboard\", \"squares\": 5"),
            "data.squares", "must be an even number >= 2, was 5"),
        Bad("mixture with mismatched stds", variant("\"type\": \"moons\", \"noise\": 0.05, \"scale\": 3.0",
            "\"type\": \"gaussian-mixture\", \"means\": [[0, 0], [1, 1]], \"stds\": [0.5]"), "data.stds", "must have one entry per mean (2), had 1"),
        Bad("mixture means of different dimensions", variant("\"type\": \"moons\", \"noise\": 0.05, \"scale\": 3.0",
            "\"type\": \"gaussian-mixture\", \"means\": [[0, 0], [1, 1, 1]], \"stds\": [0.5, 0.5]"), "data.means[1]", "same dimension (2), had 3"),
        Bad("bad name", variant("\"name\": \"moons\"", "\"name\": \"my moons/1\""), "name", "names the output folder"),
        Bad("wrong value type", variant("\"steps\": 100", "\"steps\": \"many\""), "train.steps", "must be a whole number"),
        Bad("polynomial exponent below one", variant("\"type\": \"linear\"}", "\"type\": \"polynomial\", \"exponent\": 0.5}"),
            "path.schedule.exponent", "must be a finite number >= 1"),
        Bad("negative mmd bandwidth", variant("{\"type\": \"mmd\"}", "{\"type\": \"mmd\", \"bandwidths\": [1.0, -2.0]}"),
            "evaluate[1].bandwidths[1]", "must be a finite number > 0, was -2.0"),
        Bad("a sample of one point", variant("\"count\": 100", "\"count\": 1"), "sample.count", "must be >= 2"),
        Bad("too many points for the exact W2", variant("\"count\": 100", "\"count\": 20000"), "sample.count",
            "must be <= 5000 with wasserstein2"),
        Bad("a trajectory too long to unroll", variant("\"steps\": 10", "\"steps\": 50000"), "sample.sampler.steps",
            "must be between 1 and 10000"),
        Bad("a value beyond float32", variant("\"noise\": 0.05", "\"noise\": 1e300"), "data.noise", "must be a finite number >= 0"),
        Bad("a data file that is not there", variant(moons, "\"type\": \"dataset\", \"file\": \"no/such.npy\""), "data.file",
            "cannot read 'no/such.npy'"),
        Bad("a data file that is not .npy", variant(moons, "\"type\": \"dataset\", \"file\": \"pom.xml\""),
            "data.file", "not a NumPy .npy file"),
        Bad("quantized real-valued rows", variant(moons, "\"type\": \"dataset\", \"file\": \"$floats\", \"quantization\": {}"),
            "data.quantization", "needs integer levels in the file, but its element type is <f4"),
        Bad("quantization with too many bits", variant(moons, "\"type\": \"dataset\", \"file\": \"$floats\", \"quantization\": {\"bits\": 40}"),
            "data.quantization.bits", "must be in 1..16, was 40"),
        Bad("more samples than held-out rows", variant(moons, "\"type\": \"dataset\", \"file\": \"$floats\", \"heldOut\": 0.25"),
            "sample.count", "must be <= 5: the samples are compared with as many held-out rows"),
        Bad("a held-out fraction of one", variant(moons, "\"type\": \"dataset\", \"file\": \"$floats\", \"heldOut\": 1.0"),
            "data.heldOut", "must be in (0.0, 1.0)"),
        Bad("a metric listed twice", variant("{\"type\": \"mmd\"}", "{\"type\": \"mmd\"}, {\"type\": \"mmd\", \"bandwidths\": [2.0]}"),
            "evaluate[2]", "lists mmd a second time"),
        // issue 3: what the path, objective, network and sampler need from each other
        Bad("score matching on the linear path", variant("\"path\": {\"type\": \"gaussian\", \"schedule\": {\"type\": \"linear\"}}", "\"path\": {\"type\": \"linear\"}")
            .replace("\"flow-matching\"", "\"score-matching\""), "train.objective", "needs a path with a closed-form score"),
        Bad("a stochastic sampler on the linear path", variant("\"path\": {\"type\": \"gaussian\", \"schedule\": {\"type\": \"linear\"}}", "\"path\": {\"type\": \"linear\"}")
            .replace("\"type\": \"euler\", \"steps\": 10", "\"type\": \"euler-maruyama\", \"steps\": 10"), "sample.sampler",
            "euler-maruyama needs the model's score, and linear has none"),
        Bad("reverse() without a diffusion schedule", variant("\"type\": \"euler\", \"steps\": 10",
            "\"type\": \"euler-maruyama\", \"steps\": 10, \"sigma\": {\"type\": \"reverse\"}"), "sample.sampler",
            "sigma reverse() is g_t of a diffusion schedule (vp, sub-vp or ve)"),
        Bad("diffusion weighting without a diffusion schedule", variant("{\"type\": \"flow-matching\"}",
            "{\"type\": \"score-matching\", \"weighting\": \"diffusion\"}"), "train.objective.weighting",
            "needs a diffusion schedule (vp, sub-vp or ve); allowed here: none, noise-variance"),
        Bad("unknown weighting", variant("{\"type\": \"flow-matching\"}", "{\"type\": \"score-matching\", \"weighting\": \"snr\"}"),
            "train.objective.weighting", "allowed: none, noise-variance, diffusion"),
        Bad("unknown prediction", variant("\"activation\": \"silu\"", "\"activation\": \"silu\", \"predicts\": \"epsilon\""),
            "network.predicts", "allowed: velocity, score, noise, data"),
        Bad("a velocity-and-score network trained by flow matching only", variant("{\"type\": \"mlp\", \"hidden\": [64, 64], \"activation\": \"silu\"}",
            "{\"type\": \"velocity-and-score\"}"), "train.objective", "needs an objective that trains both parts (flow-and-score-matching)"),
        Bad("guidance without labels", variant("\"count\": 100", "\"count\": 100, \"guidance\": [2.0]"), "sample.guidance",
            "needs labelled data"),
        Bad("requested classes without labels", variant("\"count\": 100", "\"count\": 100, \"classes\": [1]"), "sample.classes",
            "needs labelled data"),
        Bad("a requested class outside the data's classes", variant("\"count\": 100", "\"count\": 100, \"classes\": [0, 8]")
            .replace("{\"type\": \"moons\", \"noise\": 0.05, \"scale\": 3.0}", "{\"type\": \"circle\", \"modes\": 8, \"labelled\": true}"),
            "sample.classes[1]", "must be one of the data's classes 0 … 7, was 8"),
        Bad("class accuracy without labels", variant("{\"type\": \"mmd\"}", "{\"type\": \"class-accuracy\"}"), "evaluate[1]",
            "class-accuracy needs labelled mixture data"),
        Bad("pc with an adaptive predictor", variant("{\"type\": \"euler\", \"steps\": 10}", "{\"type\": \"pc\", \"predictor\": {\"type\": \"dopri5\"}}"),
            "sample.sampler.predictor", "must be a fixed-step sampler"),
        Bad("a ve source of the wrong std", variant("\"seed\": 7,", "\"seed\": 7, \"source\": {\"type\": \"gaussian\", \"dim\": 2},")
            .replace("{\"type\": \"linear\"}}", "{\"type\": \"ve\"}}"), "source", "this gaussian path starts from N(0, 50² I)"),
        Bad("ve with sigmaMax below sigmaMin", variant("\"type\": \"linear\"}", "\"type\": \"ve\", \"sigmaMin\": 2, \"sigmaMax\": 1}"),
            "path.schedule.sigmaMax", "must be > sigmaMin (2.0)"),
        Bad("karras grid with sigmaMax below sigmaMin", variant("\"type\": \"euler\", \"steps\": 10}", "\"type\": \"euler\", \"steps\": 10, \"grid\": {\"type\": \"karras\", \"sigmaMin\": 5, \"sigmaMax\": 1}}"),
            "sample.sampler.grid.sigmaMax", "must be finite and > sigmaMin (5.0), was 1.0"),
        Bad("unknown grid", variant("\"type\": \"euler\", \"steps\": 10}", "\"type\": \"euler\", \"steps\": 10, \"grid\": {\"type\": \"cosine\"}}"),
            "sample.sampler.grid.type", "allowed: uniform, karras, log-snr"),
        Bad("likelihood solved by dpm-solver", variant("{\"type\": \"mmd\"}", "{\"type\": \"likelihood\", \"solver\": {\"type\": \"dpm-solver\"}}"),
            "evaluate[1].solver", "dpm-solver steps on the model's data and noise predictions"),
        Bad("likelihood on a karras grid", variant("{\"type\": \"mmd\"}", "{\"type\": \"likelihood\", \"solver\": {\"type\": \"heun\", \"grid\": {\"type\": \"karras\"}}}"),
            "evaluate[1].solver.grid", "the likelihood solves its ODE on the uniform grid"),
        Bad("likelihood with a stochastic solver", variant("{\"type\": \"mmd\"}", "{\"type\": \"likelihood\", \"solver\": {\"type\": \"euler-maruyama\"}}"),
            "evaluate[1].solver", "must be an ODE sampler (euler, heun, midpoint, rk4 or dopri5), was euler-maruyama"),
        Bad("likelihood from a source without a density", variant("{\"type\": \"mmd\"}", "{\"type\": \"likelihood\"}")
            .replace("\"seed\": 7,", "\"seed\": 7, \"source\": {\"type\": \"circles\"},")
            .replace("\"path\": {\"type\": \"gaussian\", \"schedule\": {\"type\": \"linear\"}}", "\"path\": {\"type\": \"linear\"}"),
            "evaluate[1]", "likelihood needs a source with a closed-form density"),
        Bad("hutchinson without probes", variant("{\"type\": \"mmd\"}", "{\"type\": \"likelihood\", \"divergence\": {\"type\": \"hutchinson\", \"probes\": 0}}"),
            "evaluate[1].divergence.probes", "must be between 1 and 64"),
        Bad("unknown probe distribution", variant("{\"type\": \"mmd\"}", "{\"type\": \"likelihood\", \"divergence\": {\"type\": \"hutchinson\", \"distribution\": \"uniform\"}}"),
            "evaluate[1].divergence.distribution", "allowed: rademacher, gaussian"),
        // issue 11: images
        Bad("a U-Net on vector data", variant(mlp, "{\"type\": \"unet\"}"), "network",
            "unet needs image data ([N, H, W] or [N, H, W, C] arrays from dataset(file)); the data here are vectors of dimension 2; use mlp or conv1d"),
        Bad("a U-Net deeper than the image", variant(moons, imageData).replace(mlp,
            "{\"type\": \"unet\", \"channels\": [4, 4, 4], \"groups\": 2, \"padding\": \"valid\"}"), "network.channels",
            "3 levels are too deep for 8×8 images with valid padding: 6×6 → 2×2 → 0×0 at level 2; use at most 2 levels or padding same"),
        Bad("a U-Net level too deep even with padding", variant(moons, imageData).replace(mlp,
            "{\"type\": \"unet\", \"channels\": [4, 4, 4, 4, 4], \"groups\": 2}"), "network.channels", "1×1 → 0×0 at level 4; use at most 4 levels"),
        Bad("GroupNorm groups that do not divide the channels", variant(moons, imageData).replace(mlp,
            "{\"type\": \"unet\", \"channels\": [6, 8], \"groups\": 4}"), "network.channels[0]", "must be a multiple of groups (4) for GroupNorm, was 6"),
        Bad("dropout without residual blocks", variant(moons, imageData).replace(mlp,
            "{\"type\": \"unet\", \"blocks\": 0, \"dropout\": 0.1}"), "network.dropout", "acts inside residual blocks"),
        Bad("fid on vector data", variant("{\"type\": \"mmd\"}", "{\"type\": \"fid\"}"), "evaluate[1]", "fid compares image features, so it needs image data"),
        Bad("fid on images without labels", variant(moons, imageData).replace("{\"type\": \"mmd\"}", "{\"type\": \"fid\"}")
            .replace("\"count\": 100", "\"count\": 10"), "evaluate[1].labels", "fid trains a classifier on labelled images"),
        Bad("labels that do not match the rows", variant(moons, "$imageData, \"labels\": \"${bytes(listOf(30))}\""), "data.labels",
            "must hold one label per row of"),
        Bad("labels that are not there", variant(moons, "$imageData, \"labels\": \"no/labels.npy\""), "data.labels", "cannot read 'no/labels.npy'"),
        Bad("exponential-ve with sigma 1", variant("\"type\": \"linear\"}", "\"type\": \"exponential-ve\", \"sigma\": 1}"),
            "path.schedule.sigma", "must be > 1"),
        Bad("score matching all the way to t = 1", variant("{\"type\": \"flow-matching\"}", "{\"type\": \"score-matching\", \"maxTime\": 1.0}"),
            "train.objective.maxTime", "must be in [0.5, 1.0)"),
        Bad("an EMA decay of one", variant("\"batchSize\": 100", "\"batchSize\": 100, \"ema\": {\"decay\": 1.0}"), "train.ema.decay",
            "must be in (0.0, 1.0)"),
        Bad("label dropout of one", variant("\"batchSize\": 100", "\"batchSize\": 100, \"labelDropout\": 1.0"), "train.labelDropout",
            "must be in [0.0, 1.0)"),
    ) { bad ->
        val e = shouldThrow<SpecException> { SpecJson().decode(bad.json) }
        val problem = e.problems.firstOrNull { it.startsWith(bad.field + ":") }
            ?: error("no problem names ${bad.field}; got ${e.problems}")
        problem shouldContain bad.says
    }

    test("every problem is reported at once, not only the first") {
        val json = variant("\"steps\": 100", "\"steps\": -1").replace("\"batchSize\": 100", "\"batchSize\": -2")
        val e = shouldThrow<SpecException> { SpecJson().decode(json) }
        e.problems shouldHaveSize 2
        e.problems[0] shouldStartWith "train.steps:"
        e.problems[1] shouldStartWith "train.batchSize:"
    }

    test("labels beside an image file make the data labelled, with classes from their range") {
        val spec = SpecJson().decode(variant(moons, "$imageData, \"labels\": \"$labels\"").replace("\"count\": 100", "\"count\": 10")
            .replace("{\"type\": \"mmd\"}", "{\"type\": \"fid\"}").replace(", {\"type\": \"wasserstein2\"}", "").replace("{\"type\": \"wasserstein2\"}, ", ""))
        spec.data.classes shouldBe 4
        spec.data.imageShape shouldBe listOf(8, 8, 1)
        spec.conditional shouldBe true
    }

    test("the tutorial's ScoreNet preset is a plain unet spec") {
        val net = Unet.scoreNet()
        net.channels shouldBe listOf(32, 64, 128, 256)
        net.sizes(28, 28) shouldBe listOf(26 to 26, 12 to 12, 5 to 5, 2 to 2)
        val json = kotlinx.serialization.json.Json
        json.decodeFromString(Unet.serializer(), json.encodeToString(Unet.serializer(), net)) shouldBe net
    }

    test("broken JSON syntax is reported, not thrown raw") {
        val e = shouldThrow<SpecException> { SpecJson().decode("{\"name\": \"x\", ") }
        e.problems.single().isNotBlank() shouldBe true
    }
})
