package dev.flowkit.runtime.networks.unet;

import dev.flowkit.runtime.networks.Dense;
import dev.flowkit.runtime.networks.Parameters;

import dev.flowkit.spec.Activation;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A U-Net level's entry: act(GroupNorm(conv(x) + Dense(e))), where the convolution keeps the size (the first level),
 * halves it (down-sampling: stride 2) or doubles it (up-sampling: a stride-2 transposed convolution).
 */
final class ConvBlock {
    private final Conv2d conv;
    private final Dense time;
    private final GroupNorm norm;
    private final Activation activation;
    private final int height;
    private final int width;

    ConvBlock(Conv2d conv, Parameters p, String name, int embedding, int out, int groups, Activation activation, int height, int width) {
        this.conv = conv;
        this.time = new Dense(p, name + ".time", embedding, out);
        this.norm = new GroupNorm(p, name + ".norm", groups, out);
        this.activation = activation;
        this.height = height;
        this.width = width;
    }

    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, Operand<TFloat32> e, boolean training) {
        return norm.apply(tf, conv.apply(tf, x, height, width), time.apply(tf, e), height, width, activation, training);
    }
}
