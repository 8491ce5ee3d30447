package dev.flowkit.runtime.samplers;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** The end state, and the states kept along the way (always including t = 0 and t = 1) with their times. */
public record Trajectory(Operand<TFloat32> end, List<Operand<TFloat32>> recorded, double[] recordedTimes) {}
