package dev.flowkit.runtime.networks.unet;

import dev.flowkit.runtime.networks.Parameters;

import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.model.ModelContext;
import dev.flowkit.runtime.model.NetworkFunction;
import dev.flowkit.runtime.model.NetworkModel;
import dev.flowkit.runtime.model.TrainableModel;
import dev.flowkit.runtime.networks.Network;
import dev.flowkit.spec.Padding;
import dev.flowkit.spec.Unet;
import java.util.ArrayList;
import java.util.List;
import kotlin.Pair;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The U-Net of {@link Unet}: time embedding, an encoder of {@link ConvBlock}s (each followed by residual blocks and
 * optional attention), a decoder of transposed-convolution blocks over [decoder output | encoder output] at the
 * encoder's sizes, and a last stride-1 transposed convolution to the image. Points are rows [n, H·W·C] (row-major,
 * channels last), reshaped to images and back.
 */
public final class UnetNetwork implements Network {
    private final Unet spec;

    public UnetNetwork(Unet spec) {
        this.spec = spec;
    }

    @Override
    public TrainableModel build(Ops tf, ModelContext context) {
        List<Integer> image = context.imageShape();
        if (image == null) throw new IllegalArgumentException("unet needs image-shaped data; the data are vectors of dimension " + context.dim());
        int height = image.get(0);
        int width = image.get(1);
        int colours = image.get(2);
        List<Pair<Integer, Integer>> sizes = spec.sizes(height, width);
        List<Integer> channels = spec.getChannels();
        int levels = channels.size();
        if (sizes.size() < levels || sizes.get(levels - 1).getFirst() < 1 || sizes.get(levels - 1).getSecond() < 1) {
            throw new IllegalArgumentException("unet: " + levels + " levels are too deep for " + height + "×" + width + " images");
        }
        Parameters p = new Parameters(tf, context.initKey());
        int e = spec.getEmbedding();
        TimeEmbedding time = new TimeEmbedding(tf, p, e, spec.getTimeFeatures(), spec.getFourierScale(), context.classes(), spec.getActivation());
        Level[] encoder = new Level[levels];
        Level[] decoder = new Level[levels]; // decoder[l]: the up-sampling block from level l + 1 to level l (none for the top)
        for (int l = 0; l < levels; l++) {
            int h = sizes.get(l).getFirst();
            int w = sizes.get(l).getSecond();
            int in = l == 0 ? colours : channels.get(l - 1);
            int groups = l == 0 && spec.getStemGroups() != null ? spec.getStemGroups() : spec.getGroups();
            Conv2d down = new Conv2d(p, "down" + l + ".conv", in, channels.get(l), l == 0 ? 1 : 2, spec.getPadding(), false, false);
            encoder[l] = level(p, "down" + l, new ConvBlock(down, p, "down" + l, e, channels.get(l), groups, spec.getActivation(), h, w), l, h, w);
        }
        for (int l = levels - 2; l >= 0; l--) {
            int h = sizes.get(l).getFirst();
            int w = sizes.get(l).getSecond();
            int in = l == levels - 2 ? channels.get(l + 1) : 2 * channels.get(l + 1);
            Conv2d up = new Conv2d(p, "up" + l + ".conv", in, channels.get(l), 2, spec.getPadding(), true, false);
            decoder[l] = level(p, "up" + l, new ConvBlock(up, p, "up" + l, e, channels.get(l), spec.getGroups(), spec.getActivation(), h, w), l, h, w);
        }
        int last = levels == 1 ? channels.get(0) : 2 * channels.get(0);
        Conv2d output = new Conv2d(p, "output", last, colours, 1, spec.getPadding(), true, true);
        int dim = context.dim();
        // dropout null: evaluated for sampling and evaluation (no dropout; see Activations), a key: for training
        java.util.function.Function<RandomKey, NetworkFunction> function = dropout -> (ops, x, t, labels) -> {
            Operand<TFloat32> emb = time.apply(ops, t, labels, dropout != null);
            Operand<TFloat32> h = ops.reshape(x, ops.constant(new int[] {-1, height, width, colours}));
            List<Operand<TFloat32>> skips = new ArrayList<>();
            for (int l = 0; l < levels; l++) {
                h = encoder[l].apply(ops, h, emb, dropout == null ? null : dropout.derive(l));
                skips.add(h);
            }
            for (int l = levels - 2; l >= 0; l--) {
                Operand<TFloat32> in = l == levels - 2 ? h : ops.concat(List.of(h, skips.get(l + 1)), ops.constant(3));
                h = decoder[l].apply(ops, in, emb, dropout == null ? null : dropout.derive(100 + l));
            }
            List<Operand<TFloat32>> in = levels == 1 ? List.of(h) : List.of(h, skips.get(0)); // [decoder | encoder], not concatenated
            return ops.reshape(output.apply(ops, in, height, width), ops.constant(new int[] {-1, dim}));
        };
        return new NetworkModel(function.apply(null), function, p.trainable(), context.predicts(), context.path());
    }

    /** A level: its entry block, then [blocks] residual blocks and, where asked, self-attention. */
    private Level level(Parameters p, String name, ConvBlock entry, int l, int h, int w) {
        int c = spec.getChannels().get(l);
        List<ResidualBlock> residual = new ArrayList<>();
        for (int b = 0; b < spec.getBlocks(); b++) {
            residual.add(new ResidualBlock(p, name + ".res" + b, spec.getEmbedding(), c, spec.getGroups(), spec.getActivation(), spec.getDropout(), h, w));
        }
        SelfAttention attention = spec.getAttention().contains(l) ? new SelfAttention(p, name + ".attention", c, spec.getGroups(), h, w) : null;
        return new Level(entry, residual, attention);
    }

    private record Level(ConvBlock entry, List<ResidualBlock> residual, SelfAttention attention) {
        Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, Operand<TFloat32> e, RandomKey dropout) {
            Operand<TFloat32> h = entry.apply(tf, x, e, dropout != null);
            for (int b = 0; b < residual.size(); b++) h = residual.get(b).apply(tf, h, e, dropout == null ? null : dropout.derive(b));
            return attention == null ? h : attention.apply(tf, h);
        }
    }
}
