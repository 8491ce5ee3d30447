package dev.flowkit.cli

import com.fasterxml.jackson.databind.ObjectMapper
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.assertions.withClue
import io.kotest.core.spec.style.FunSpec
import io.kotest.engine.spec.tempdir
import io.kotest.matchers.doubles.shouldBeGreaterThan
import io.kotest.matchers.doubles.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import java.io.ByteArrayOutputStream
import java.io.PrintStream
import java.nio.file.Files
import kotlin.math.abs

/** The command line as a user runs it: exit codes, messages, outputs. */
class CliSpec : FunSpec({

    /** Runs the CLI with [args]; returns (exit code, stdout, stderr). */
    fun flowkit(vararg args: String): Triple<Int, String, String> {
        val out = ByteArrayOutputStream()
        val err = ByteArrayOutputStream()
        val (oldOut, oldErr) = System.out to System.err
        System.setOut(PrintStream(out, true))
        System.setErr(PrintStream(err, true))
        try {
            val code = Main.commandLine().execute(*args)
            return Triple(code, out.toString(), err.toString())
        } finally {
            System.setOut(oldOut)
            System.setErr(oldErr)
        }
    }

    test("a bad spec is reported field by field, without a stack trace, exit code 2") {
        val file = tempdir().toPath().resolve("bad.json")
        Files.writeString(file, """{"name": "bad", "data": {"type": "spiral"}, "train": {"steps": -5}}""")
        val (code, _, err) = flowkit("run", file.toString())
        code shouldBe 2
        err shouldContain "data.type: unknown type 'spiral'; allowed: gaussian, gaussian-mixture, circle, moons, circles, checkerboard, uniform, dataset"
        err.contains("Exception") shouldBe false
    }

    test("a missing file is a one-line error") {
        val (code, _, err) = flowkit("run", "no/such/file.json")
        code shouldBe 2
        err.trim() shouldBe "error: no such file: no/such/file.json"
    }

    test("run writes the outputs into --out and prints the metrics with their noise floor") {
        val dir = tempdir().toPath()
        val file = dir.resolve("tiny.json")
        Files.writeString(file, """
            {"name": "tiny", "data": {"type": "moons"}, "network": {"type": "mlp", "hidden": [16]},
             "train": {"steps": 30, "batchSize": 64}, "sample": {"sampler": {"type": "euler", "steps": 5}, "count": 200}}
        """.trimIndent())
        val out = dir.resolve("out")
        val (code, stdout, _) = flowkit("run", file.toString(), "--out", out.toString())
        code shouldBe 0
        stdout shouldContain "wasserstein2"
        stdout shouldContain "(data vs data:"
        listOf("metrics.json", "samples.npy", "samples.png", "trajectories.png", "loss.png", "spec.json", "checkpoint")
            .forEach { Files.exists(out.resolve(it)) shouldBe true }
    }

    test("resample re-samples a finished run at several NFE without training: results table, json and plot; bad options are named") {
        val dir = tempdir().toPath()
        val file = dir.resolve("tiny.json")
        Files.writeString(file, """
            {"name": "tiny", "data": {"type": "moons"}, "network": {"type": "mlp", "hidden": [16]},
             "train": {"steps": 40, "batchSize": 64}, "sample": {"sampler": {"type": "euler", "steps": 5}, "count": 200},
             "evaluate": [{"type": "wasserstein2"}]}
        """.trimIndent())
        val run = dir.resolve("run")
        flowkit("run", file.toString(), "--out", run.toString()).first shouldBe 0
        val (code, stdout, err) = flowkit("resample", run.toString(), "--samplers", "euler,dpm-solver,edm-heun", "--nfe", "3,8", "--count", "100")
        code shouldBe 0
        stdout shouldContain "results in"
        err.contains("Exception") shouldBe false
        val rows = ObjectMapper().readTree(run.resolve("resample/results.json").toFile())
        rows.size() shouldBe 6
        // edm-heun spends 2N − 1 evaluations, less one for the Euler-limit step from α = 0 on this linear schedule
        rows.map { it["sampler"].asText() + ":" + it["nfe"].asLong() } shouldBe
            listOf("euler:3", "euler:8", "dpm-solver:3", "dpm-solver:8", "edm-heun:2", "edm-heun:6")
        rows.forEach { it["metrics"]["wasserstein2"].asDouble() shouldBeGreaterThan 0.0 }
        // resumed from the run's checkpoint: nothing trained, the loss history is the run's
        val variant = ObjectMapper().readTree(run.resolve("resample/dpm-solver-8/metrics.json").toFile())
        variant["training"]["steps"].asLong() shouldBe 40L
        variant["training"]["stepsThisRun"].asLong() shouldBe 0L
        Files.readString(run.resolve("resample/results.md")) shouldContain "| euler (the run's own) | 5 | 200 |"
        // a later call adds its settings to the table
        flowkit("resample", run.toString(), "--samplers", "heun", "--nfe", "4", "--count", "100").first shouldBe 0
        ObjectMapper().readTree(run.resolve("resample/results.json").toFile()).size() shouldBe 7
        Files.exists(run.resolve("resample/wasserstein2-vs-nfe.png")) shouldBe true
        val (bad, _, badErr) = flowkit("resample", run.toString(), "--samplers", "leapfrog")
        bad shouldBe 2
        badErr shouldContain "--samplers: unknown sampler 'leapfrog'; allowed: euler, heun, edm-heun, edm-heun-churn, dpm-solver, dpm-solver-sde, euler-maruyama, pc"
        val (unguided, _, unguidedErr) = flowkit("resample", run.toString(), "--samplers", "heun", "--guidance", "2")
        unguided shouldBe 2
        unguidedErr shouldContain "--guidance: the run's model is unconditional"
        val (noCores, _, noCoresErr) = flowkit("run", file.toString(), "--out", dir.resolve("none").toString(), "--threads", "0")
        noCores shouldBe 1
        noCoresErr shouldContain "--threads: the cores to use must be at least 1, got 0"
        // a run stopped short of train.steps is refused: resampling never trains
        val spec = run.resolve("spec.json")
        Files.writeString(spec, Files.readString(spec).replace("\"steps\": 40,", "\"steps\": 80,"))
        val (short, _, shortErr) = flowkit("resample", run.toString())
        short shouldBe 2
        shortErr shouldContain "is at step 40 of 80; resampling never trains"
        val (none, _, noneErr) = flowkit("resample", dir.toString())
        none shouldBe 2
        noneErr shouldContain "holds no finished run"
    }

    test("resample --guidance samples a class-conditional run at the given scale only; the table names it") {
        val dir = tempdir().toPath()
        val file = dir.resolve("classes.json")
        Files.writeString(file, """
            {"name": "classes", "data": {"type": "gaussian-mixture", "means": [[-3, 0], [3, 0]], "stds": [0.4, 0.4], "labelled": true},
             "network": {"type": "mlp", "hidden": [16]}, "train": {"steps": 40, "batchSize": 64, "labelDropout": 0.2},
             "sample": {"sampler": {"type": "heun", "steps": 4}, "count": 100, "guidance": [1, 2]},
             "evaluate": [{"type": "class-accuracy"}]}
        """.trimIndent())
        val run = dir.resolve("run")
        flowkit("run", file.toString(), "--out", run.toString()).first shouldBe 0
        val (code, _, err) = flowkit("resample", run.toString(), "--samplers", "dpm-solver-sde", "--nfe", "6", "--guidance", "3")
        err.contains("Exception") shouldBe false
        code shouldBe 0
        val rows = ObjectMapper().readTree(run.resolve("resample/results.json").toFile())
        rows.map { it["sampler"].asText() + ":" + it["nfe"].asLong() + ":" + it["guidance"].asDouble() } shouldBe listOf("dpm-solver-sde:6:3.0")
        val variant = ObjectMapper().readTree(run.resolve("resample/dpm-solver-sde-6-w3/metrics.json").toFile())
        variant["guidance"].map { it["scale"].asDouble() } shouldBe listOf(3.0)
        Files.readString(run.resolve("resample/results.md")) shouldContain "| dpm-solver-sde (w = 3) | 6 | 100 |"
        // the same setting at the run's own first scale is another row: the w = 3 one stays
        flowkit("resample", run.toString(), "--samplers", "dpm-solver-sde", "--nfe", "6").first shouldBe 0
        ObjectMapper().readTree(run.resolve("resample/results.json").toFile()).map { it["guidance"].asDouble() } shouldBe listOf(3.0, 1.0)
    }

    test("sample reproduces the run's samples from its folder, with a figure; export writes a SavedModel; bad options are named") {
        val dir = tempdir().toPath()
        val file = dir.resolve("classes.json")
        Files.writeString(file, """
            {"name": "classes", "seed": 4, "data": {"type": "circle", "modes": 4, "labelled": true}, "network": {"type": "mlp", "hidden": [16]},
             "train": {"steps": 40, "batchSize": 64}, "sample": {"sampler": {"type": "euler", "steps": 5}, "count": 120},
             "evaluate": [{"type": "class-accuracy"}]}
        """.trimIndent())
        val run = dir.resolve("run")
        flowkit("run", file.toString(), "--out", run.toString(), "--no-plots").first shouldBe 0
        val (code, stdout, err) = flowkit("sample", run.toString())
        code shouldBe 0
        stdout shouldContain "classes: 120 samples (checkpoint at step 40 of 40)"
        err.contains("Exception") shouldBe false
        dev.flowkit.runtime.output.Npy.read(run.resolve("sampled.npy")).map { it.toList() } shouldBe
            dev.flowkit.runtime.output.Npy.read(run.resolve("samples.npy")).map { it.toList() }
        Files.exists(run.resolve("sampled.png")) shouldBe true
        Files.exists(run.resolve("sampled-labels.npy")) shouldBe true

        val out = dir.resolve("threes.npy")
        flowkit("sample", run.toString(), "--labels", "3", "--count", "7", "--guidance", "2", "--seed", "1", "--out", out.toString(),
            "--sampler", """{"type":"heun","steps":4}""").first shouldBe 0
        dev.flowkit.runtime.output.Npy.read(out).size shouldBe 7
        dev.flowkit.spec.NpyHeader.readIntegers(dir.resolve("threes-labels.npy")).toList() shouldBe List(7) { 3L }
        // the same draw as shards on Spark (in-process): a manifest that reads as the same rows and labels
        val shards = dir.resolve("threes-shards")
        val (sharded, shardedOut, _) = flowkit("sample", run.toString(), "--labels", "3", "--count", "7", "--guidance", "2", "--seed", "1",
            "--out", shards.toString(), "--sampler", """{"type":"heun","steps":4}""", "--master", "local[2]")
        sharded shouldBe 0
        shardedOut shouldContain "classes: 7 samples in 1 shards"
        dev.flowkit.runtime.output.Npy.read(shards.resolve("samples.json")).map { it.toList() } shouldBe
            dev.flowkit.runtime.output.Npy.read(out).map { it.toList() }
        dev.flowkit.spec.NpyHeader.readIntegers(shards.resolve("labels.json")).toList() shouldBe List(7) { 3L }
        val (badShards, _, badShardsErr) = flowkit("sample", run.toString(), "--master", "local[1]", "--shard-rows", "50")
        badShards shouldBe 1
        badShardsErr shouldContain "shardRows: must be a multiple of the model's sampling chunk (10000), was 50"

        val (badLabel, _, badLabelErr) = flowkit("sample", run.toString(), "--labels", "4")
        badLabel shouldBe 1
        badLabelErr shouldContain "labels[0]: must be one of the classes 0 … 3, was 4"
        val (badSampler, _, badSamplerErr) = flowkit("sample", run.toString(), "--sampler", """{"type":"leapfrog"}""")
        badSampler shouldBe 1
        badSamplerErr shouldContain "--sampler: type: unknown type 'leapfrog'"
        val (noRun, _, noRunErr) = flowkit("sample", dir.resolve("nothing").toString())
        noRun shouldBe 1
        noRunErr shouldContain "no run folder"

        val saved = dir.resolve("saved")
        val (exported, exportOut, _) = flowkit("export", run.toString(), "--out", saved.toString())
        exported shouldBe 0
        exportOut shouldContain "sample:   noise float32 [n, 2], labels int32 [n], guidance float32 [] -> samples float32 [n, 2]"
        Files.exists(saved.resolve("saved_model.pb")) shouldBe true
        val (again, _, againErr) = flowkit("export", run.toString(), "--out", saved.toString())
        again shouldBe 1
        againErr shouldContain "exists; a SavedModel needs a new folder"
    }

    test("run takes a Kotlin script (compiled once, then from the cache); its errors are FILE:line:column, its value is checked") {
        val dir = tempdir().toPath()
        val cache = dir.resolve("cache")
        System.setProperty("flowkit.scriptCache", cache.toString())
        try {
            val script = dir.resolve("tiny.flowkit.kts")
            Files.writeString(script, """
                val widths = listOf(16)
                experiment("tiny-script") {
                    data { moons() }
                    network { mlp(hidden = widths, activation = Activation.TANH) }
                    train { steps = 20; batchSize = 64 }
                    sample { euler(steps = 4); count = 100 }
                    evaluate { meanCovError() }
                }
            """.trimIndent())
            val out = dir.resolve("out")
            val (code, stdout, _) = flowkit("run", script.toString(), "--out", out.toString(), "--no-plots")
            code shouldBe 0
            stdout shouldContain "tiny-script:"
            Files.readString(out.resolve("spec.json")) shouldContain "\"activation\": \"tanh\""
            val cached = Files.list(cache).use { it.toList() }
            cached.size shouldBe 1
            val stamp = Files.getLastModifiedTime(cached[0])
            flowkit("run", script.toString(), "--out", out.toString(), "--no-plots").first shouldBe 0
            Files.getLastModifiedTime(cached[0]) shouldBe stamp // not compiled again

            val typo = dir.resolve("typo.flowkit.kts")
            Files.writeString(typo, "experiment(\"t\") {\n    data { moons(nois = 0.1) }\n}\n")
            val (bad, _, badErr) = flowkit("run", typo.toString())
            bad shouldBe 2
            badErr.trim() shouldBe "error: $typo:2:18: No parameter with name 'nois' found."
            val number = dir.resolve("number.flowkit.kts")
            Files.writeString(number, "val x = 3\nx * 2\n")
            flowkit("run", number.toString()).third shouldContain "the script evaluated to a kotlin.Int (6), not an experiment"
            val invalid = dir.resolve("invalid.flowkit.kts")
            Files.writeString(invalid, "experiment(\"v\") {\n    data { moons() }\n    train { steps = -5 }\n}\n")
            flowkit("run", invalid.toString()).third shouldContain "train.steps: must be > 0, was -5"
        } finally {
            System.clearProperty("flowkit.scriptCache")
        }
    }

    test("plot-path draws the probability path; bad times are refused") {
        val dir = tempdir().toPath()
        val png = dir.resolve("p.png")
        val (code, stdout, _) = flowkit("plot-path", "experiments/moons.json", "--out", png.toString(), "--count", "200")
        code shouldBe 0
        stdout shouldContain "wrote"
        (Files.size(png) > 10_000) shouldBe true
        val (bad, _, err) = flowkit("plot-path", "experiments/moons.json", "--times", "0,1.5")
        bad shouldBe 2
        err shouldContain "--times: every time must be in [0, 1], was 1.5"
    }

    test("data mnist-10k: the package's digit files become 8-bit images and labels, pixel = round(255 v)") {
        val digits = tempdir().toPath()
        for (label in 0..9) { // one digit per class: pixel j of digit `label` is ((j + label) mod 256)/255, to three decimals
            val values = (0 until 784).joinToString(",") { j -> "%.3f".format(java.util.Locale.ROOT, ((j + label) % 256) / 255.0) }
            Files.writeString(digits.resolve("$label.json"), """{"data": [$values]}""")
        }
        val out = tempdir().toPath()
        DataCommand.writeMnist(digits, out)
        val images = dev.flowkit.runtime.output.Npy.readRows(out.resolve("images.npy"))
        images.rows() shouldBe 10
        images.rowSize() shouldBe 784
        for (label in 0..9) for (j in 0 until 784) images.get(label, j) shouldBe ((j + label) % 256).toFloat()
        dev.flowkit.runtime.output.Npy.readRows(out.resolve("labels.npy")).values().toList() shouldBe List(10) { it.toFloat() }
        dev.flowkit.spec.NpyHeader.read(out.resolve("images.npy")).shape shouldBe listOf(10L, 28L, 28L, 1L)
    }

    test("data mnist: IDX files (training then test) become images and labels; a wrong header is named") {
        val data = tempdir().toPath()
        fun idx(name: String, magic: Int, dims: IntArray, payload: ByteArray) {
            val b = java.nio.ByteBuffer.allocate(4 + 4 * dims.size + payload.size)
            b.putInt(magic); dims.forEach { b.putInt(it) }; b.put(payload)
            Files.write(data.resolve(name), b.array())
        }
        // 3 training digits and 2 test digits: pixel j of digit k is (7k + j) mod 256, its label 9 − k
        fun pixels(from: Int, n: Int) = ByteArray(n * 784) { i -> (((from + i / 784) * 7 + i % 784) % 256).toByte() }
        idx("train-images-idx3-ubyte", 0x803, intArrayOf(3, 28, 28), pixels(0, 3))
        idx("train-labels-idx1-ubyte", 0x801, intArrayOf(3), byteArrayOf(9, 8, 7))
        idx("t10k-images-idx3-ubyte", 0x803, intArrayOf(2, 28, 28), pixels(3, 2))
        idx("t10k-labels-idx1-ubyte", 0x801, intArrayOf(2), byteArrayOf(6, 5))
        val out = tempdir().toPath()
        DataCommand.writeIdx(data, out)
        val images = dev.flowkit.runtime.output.Npy.readRows(out.resolve("images.npy"))
        images.rows() shouldBe 5
        for (k in 0 until 5) for (j in 0 until 784) images.get(k, j) shouldBe ((7 * k + j) % 256).toFloat()
        dev.flowkit.runtime.output.Npy.readRows(out.resolve("labels.npy")).values().toList() shouldBe listOf(9f, 8f, 7f, 6f, 5f)
        idx("t10k-labels-idx1-ubyte", 0x803, intArrayOf(2), byteArrayOf(6, 5))
        shouldThrow<java.io.IOException> { DataCommand.writeIdx(data, out) }.message shouldContain "t10k-labels-idx1-ubyte: not an IDX file"
    }

    test("data: an unknown data set names the allowed ones") {
        val (code, _, err) = flowkit("data", "cifar")
        code shouldBe 2
        err shouldContain "unknown data set 'cifar'; allowed: mnist, mnist-10k"
    }

    test("study runs a folder of experiments into results.json and results.md; --resume keeps the finished ones") {
        val dir = tempdir().toPath()
        val specs = dir.resolve("specs")
        Files.createDirectories(specs)
        fun write(d: Int, steps: Int) = Files.writeString(specs.resolve("g$d.json"), """
            {"name": "g$d", "data": {"type": "gaussian", "dim": $d, "std": 0.5}, "network": {"type": "mlp", "hidden": [16]},
             "train": {"steps": $steps, "batchSize": 64}, "sample": {"sampler": {"type": "euler", "steps": 5}, "count": 300},
             "evaluate": [{"type": "mean-cov-error"}]}
        """.trimIndent())
        write(3, 20)
        write(2, 20)
        Files.writeString(specs.resolve("published.json"), """{"rows": [{"d": 2, "meanL1Error": 0.125, "covError": 0.5}]}""")
        val out = dir.resolve("out")
        val json = ObjectMapper()
        val (code, stdout, _) = flowkit("study", specs.toString(), "--out", out.toString(), "--threads", "1")
        code shouldBe 0
        val rows = json.readTree(out.resolve("results.json").toFile())
        rows.map { it["d"].asInt() } shouldBe listOf(2, 3) // ordered by dimension
        for (row in rows) {
            val metrics = json.readTree(out.resolve(row["name"].asText()).resolve("metrics.json").toFile())
            row["metrics"] shouldBe metrics["metrics"]
            listOf("trainingSeconds", "samplingSeconds", "totalSeconds").forEach { row["timings"][it].asDouble() shouldBe metrics["timings"][it].asDouble() }
            row["wallSeconds"].asDouble() shouldBeGreaterThan 0.0
        }
        stdout shouldContain "[0.1250]"
        Files.readString(out.resolve("results.md")) shouldContain "| g3 |"
        Files.exists(out.resolve("covError.png")) shouldBe true

        write(3, 25) // changed: runs again; g2 unchanged: kept as it was
        val g2 = Files.readString(out.resolve("g2/metrics.json"))
        val (again, _, err) = flowkit("study", specs.toString(), "--out", out.toString(), "--threads", "1", "--resume")
        again shouldBe 0
        err shouldContain "finished before with the same spec: kept"
        Files.readString(out.resolve("g2/metrics.json")) shouldBe g2
        val kept = json.readTree(out.resolve("results.json").toFile())[0]
        kept["wallSeconds"].asDouble() shouldBe json.readTree(g2)["timings"]["totalSeconds"].asDouble()
        json.readTree(out.resolve("g3/metrics.json").toFile())["training"]["steps"].asInt() shouldBe 25
    }

    test("run --master local[2] --replicas 2 trains one model on two replicas with identical weights and writes the run") {
        val dir = tempdir().toPath()
        val file = dir.resolve("replicated.json")
        Files.writeString(file, """
            {"name": "replicated", "seed": 2, "data": {"type": "moons"}, "network": {"type": "mlp", "hidden": [16]},
             "train": {"steps": 20, "batchSize": 128, "checkpointEvery": 0}, "sample": {"sampler": {"type": "euler", "steps": 5}, "count": 200}}
        """.trimIndent())
        val (code, stdout, _) = flowkit("run", file.toString(), "--out", dir.resolve("out").toString(), "--master", "local[2]", "--replicas", "2", "--no-plots")
        code shouldBe 0
        stdout shouldContain "replicated: 2 replicas in 1 processes"
        stdout shouldContain "weights identical on every replica"
        dev.flowkit.runtime.output.Npy.read(dir.resolve("out/samples.npy")).size shouldBe 200
        val (odd, _, oddErr) = flowkit("run", file.toString(), "--out", dir.resolve("odd").toString(), "--master", "local[2]", "--replicas", "3")
        odd shouldBe 1
        oddErr shouldContain "train.batchSize: must be divisible by the 3 replicas, was 128"
        val (alone, _, aloneErr) = flowkit("run", file.toString(), "--replicas", "2")
        alone shouldBe 1
        aloneErr shouldContain "--replicas: needs --master"
    }

    test("simulate writes a Gibbs experiment's chains to data.save, here or as shards on Spark, and reads them back") {
        val dir = tempdir().toPath()
        fun spec(name: String, save: String): java.nio.file.Path = dir.resolve("$name.json").also {
            Files.writeString(it, """
                {"name": "$name", "data": {"type": "langevin", "potential": {"type": "phi4-chain", "d": 4, "lambda": 0.03}, "temperature": 8.0,
                 "samples": 2000, "reference": 500, "dt": 0.003, "steps": 30, "integrator": "mala", "seed": 3, "save": "${dir.resolve(save)}"},
                 "network": {"type": "mlp", "hidden": [8]}, "train": {"steps": 5, "batchSize": 64}, "sample": {"sampler": {"type": "euler", "steps": 2}, "count": 500}}
            """.trimIndent())
        }
        val here = spec("here", "chains/here.json")
        val (code, stdout, _) = flowkit("simulate", here.toString())
        code shouldBe 0
        stdout shouldContain "here: 2500 chains simulated in"
        val (_, againOut, againErr) = flowkit("simulate", here.toString())
        againOut + againErr shouldContain "here: 2500 chains read back (simulated before for this spec)"
        flowkit("run", here.toString(), "--out", dir.resolve("run").toString(), "--no-plots").first shouldBe 0
        ObjectMapper().readTree(dir.resolve("run/metrics.json").toFile())["data"]["readBack"].asDouble() shouldBe 1.0
        val (sparkCode, sparkOut, _) = flowkit("simulate", spec("spark", "chains/spark.json").toString(), "--master", "local[2]")
        sparkCode shouldBe 0
        sparkOut shouldContain "spark: 2500 chains in 1 shards on 1 executor processes"
        sparkOut shouldContain "MALA acceptance"
        dev.flowkit.runtime.output.Npy.readRows(dir.resolve("chains/spark.json")).values().toList() shouldBe
            dev.flowkit.runtime.output.Npy.readRows(dir.resolve("chains/here.json")).values().toList()
        val (npy, _, npyErr) = flowkit("simulate", spec("npy", "chains/npy.npy").toString(), "--master", "local[1]")
        npy shouldBe 1
        npyErr shouldContain "data.save: a distributed simulation writes shards and a manifest; name a .json file"
    }

    test("sweep runs a script's axes as their cross product, with a results table, a plot per metric and --resume") {
        val dir = tempdir().toPath()
        System.setProperty("flowkit.scriptCache", dir.resolve("cache").toString())
        try {
            val script = dir.resolve("fm.flowkit.kts")
            Files.writeString(script, """
                sweep("fm") {
                    base {
                        data { gaussian(dim = 2, std = 0.5) }
                        network { mlp(hidden = listOf(16)) }
                        train { steps = 20; batchSize = 64 }
                        sample { euler(steps = 4); count = 200 }
                        evaluate { meanCovError() }
                    }
                    axis("schedule", LinearSchedule, CosineSchedule) { s -> path { gaussian(schedule = s) } }
                    axis("steps", 10, 30) { n -> train { steps = n } }
                }
            """.trimIndent())
            val out = dir.resolve("out")
            val (code, stdout, _) = flowkit("sweep", script.toString(), "--out", out.toString())
            code shouldBe 0
            val rows = ObjectMapper().readTree(out.resolve("results.json").toFile())
            rows.map { it["name"].asText() } shouldBe listOf("fm-schedule_linear-steps_10", "fm-schedule_linear-steps_30",
                "fm-schedule_cosine-steps_10", "fm-schedule_cosine-steps_30")
            rows.map { it["axes"]["schedule"].asText() + "/" + it["axes"]["steps"].asText() } shouldBe
                listOf("linear/10", "linear/30", "cosine/10", "cosine/30")
            // each variant is the base with its axis values: the path and the training steps (batch size kept from the base)
            val variant = ObjectMapper().readTree(out.resolve("fm-schedule_cosine-steps_30/spec.json").toFile())
            variant["path"]["schedule"]["type"].asText() shouldBe "cosine"
            variant["train"]["steps"].asInt() shouldBe 30
            variant["train"]["batchSize"].asInt() shouldBe 64
            stdout shouldContain "| variant | schedule | steps | covError (floor) |"
            listOf("covError.png", "meanError.png", "results.md").forEach { Files.exists(out.resolve(it)) shouldBe true }
            val (again, _, err) = flowkit("sweep", script.toString(), "--out", out.toString(), "--resume")
            again shouldBe 0
            err.split("finished before with the same spec: kept").size shouldBe 5

            // the same sweep as Spark tasks (in-process, two at a time): the same numbers, variant for variant, up to the
            // order of float sums (a task has one core, so one row block per batch where the local run has one per core)
            val onSpark = dir.resolve("spark")
            val (sparkCode, _, sparkErr) = flowkit("sweep", script.toString(), "--out", onSpark.toString(), "--master", "local[2]")
            sparkCode shouldBe 0
            sparkErr shouldContain "== [4/4] fm-schedule_cosine-steps_30: done in"
            val sparkRows = ObjectMapper().readTree(onSpark.resolve("results.json").toFile())
            sparkRows.map { it["name"].asText() } shouldBe rows.map { it["name"].asText() }
            for ((spark, local) in sparkRows.zip(rows)) {
                spark["metrics"].fieldNames().asSequence().toList() shouldBe local["metrics"].fieldNames().asSequence().toList()
                for (metric in local["metrics"].fieldNames()) {
                    val a = spark["metrics"][metric].asDouble()
                    val b = local["metrics"][metric].asDouble()
                    withClue("${local["name"].asText()} $metric") { abs(a - b) shouldBeLessThan 1e-6 * abs(b) + 1e-12 }
                }
            }

            val twice = dir.resolve("twice.flowkit.kts")
            Files.writeString(twice, "listOf(1, 2).map { experiment(\"same\") { data { moons() } } }\n")
            val (dup, _, dupErr) = flowkit("sweep", twice.toString(), "--out", dir.resolve("dup").toString())
            dup shouldBe 2
            dupErr shouldContain "every variant needs its own name (it names the output folder); 'same' appears 2 times"
            Files.exists(dir.resolve("dup")) shouldBe false
            val bad = dir.resolve("bad.flowkit.kts")
            Files.writeString(bad, "sweep(\"b\") {\n  base { data { moons() } }\n  axis(\"steps\", 10, -1) { n -> train { steps = n } }\n}\n")
            val (invalid, _, invalidErr) = flowkit("sweep", bad.toString(), "--out", dir.resolve("bad").toString())
            invalid shouldBe 2
            invalidErr shouldContain "b-steps_-1: train.steps: must be > 0, was -1"
            Files.exists(dir.resolve("bad")) shouldBe false
        } finally {
            System.clearProperty("flowkit.scriptCache")
        }
    }

    test("bench counts the ScoreNet's multiply-adds per image as the tutorial's layers give them") {
        // conv 28→26 (1→32), 26→12 (32→64), 12→5 (64→128), 5→2 (128→256): output pixels × 9 × in × out;
        // transposed 2→5 (256→128), 5→12 (256→64), 12→26 (128→32), 26→28 (64→1): input pixels × 9 × in × out;
        // embedding 256×256, and the seven dense layers from 256 onto 32+64+128+256+128+64+32 channels
        val convolutions = 26L * 26 * 9 * 1 * 32 + 12L * 12 * 9 * 32 * 64 + 5L * 5 * 9 * 64 * 128 + 2L * 2 * 9 * 128 * 256
        val transposed = 2L * 2 * 9 * 256 * 128 + 5L * 5 * 9 * 256 * 64 + 12L * 12 * 9 * 128 * 32 + 26L * 26 * 9 * 64 * 1
        val dense = 256L * 256 + 256L * (32 + 64 + 128 + 256 + 128 + 64 + 32)
        BenchCommand.unetMacs(dev.flowkit.spec.Unet.scoreNet(), 28, 28, 1) shouldBe convolutions + transposed + dense
        BenchCommand.unetMacs(dev.flowkit.spec.Unet.scoreNet(), 28, 28, 1) shouldBe 16_681_344L
        shouldThrow<IllegalArgumentException> { BenchCommand.unetMacs(dev.flowkit.spec.Unet(), 28, 28, 1) }
    }
})
