package dev.flowkit.samples

import dev.flowkit.runtime.Flowkit
import dev.flowkit.spec.Heun
import java.nio.file.Path

/** The README's Kotlin example of a trained model in an application (tested on a small labelled run). */
fun useTrainedModel(runDir: Path): String =
    Flowkit.load(runDir).use { model ->                                   // closes the graph and session
        val threes = model.sample(IntArray(16) { 3 }, 2.0, 1L)            // 16 samples of class 3 at guidance w = 2, seed 1
        val fast = model.withSampler(Heun(steps = 10)).sample(64, 7L)     // another sampler, same weights
        val logP = model.logLikelihood(threes)                            // nats per point (probability-flow ODE)
        val u = model.velocity(threes, 0.5)                               // u_t(x) at t = 0.5; score(x, t) on Gaussian paths
        "${model.spec().name} at step ${model.step()}: ${threes.size} + ${fast.size} samples, mean log p ${logP.average()}, " +
            "|u| ${u.sumOf { r -> r.sumOf { (it * it).toDouble() } }}"
    }
