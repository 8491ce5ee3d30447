package dev.flowkit.runtime.output;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Figures of image-shaped data (points that are [height × width × channels] pixels, channels 1 or 3): grids of
 * images, drawn pixel by pixel with Java2D (a chart library adds nothing here). Values map linearly from
 * [low, high] to 0 … 255 and are clipped.
 */
public final class ImageGrids {
    private static final int GAP = 2;
    private static final int TITLE = 28;

    private ImageGrids() {}

    /**
     * The value range shown black to white: the quantization's [low, high] for quantized data, else the extent of the
     * finite values of [rows].
     */
    public static double[] displayRange(dev.flowkit.spec.DistributionSpec data, float[][] rows) {
        if (data instanceof dev.flowkit.spec.Dataset d && d.getQuantization() != null) {
            return new double[] {d.getQuantization().getLow(), d.getQuantization().getHigh()};
        }
        double low = Double.POSITIVE_INFINITY;
        double high = Double.NEGATIVE_INFINITY;
        for (float[] row : rows) for (float v : row) if (Float.isFinite(v)) { low = Math.min(low, v); high = Math.max(high, v); }
        if (!(high > low)) return Double.isFinite(low) ? new double[] {low - 1, low + 1} : new double[] {0, 1};
        return new double[] {low, high};
    }

    /** The pixel layout of a point, and the value range shown black to white. */
    public record Layout(int height, int width, int channels, double low, double high) {}

    /**
     * Rows arranged for a grid with one row per class 0 … classes − 1: the first [perRow] rows of each class in their
     * order, null (a blank cell) where a class has fewer.
     */
    public static float[][] byClass(float[][] rows, int[] labels, int classes, int perRow) {
        float[][] grid = new float[classes * perRow][];
        int[] filled = new int[classes];
        for (int i = 0; i < rows.length; i++) {
            int k = labels[i];
            if (k >= 0 && k < classes && filled[k] < perRow) grid[k * perRow + filled[k]++] = rows[i];
        }
        return grid;
    }

    /** Panels side by side, each a [columns]-wide grid of images (null: a blank cell) under its caption, with an overall title. */
    public static void panels(Path file, String title, Layout layout, List<String> captions, List<float[][]> images, int columns)
            throws IOException {
        int scale = Math.max(1, 96 / Math.max(layout.height(), layout.width())); // small images drawn larger
        int cellW = layout.width() * scale + GAP;
        int cellH = layout.height() * scale + GAP;
        int rows = 0;
        for (float[][] panel : images) rows = Math.max(rows, (panel.length + columns - 1) / columns);
        int panelW = columns * cellW + 3 * GAP;
        BufferedImage canvas = new BufferedImage(Math.max(panelW * images.size(), 360), TITLE * 2 + rows * cellH + GAP,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, canvas.getWidth(), canvas.getHeight());
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, GAP * 2, 18);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int p = 0; p < images.size(); p++) {
            int x0 = p * panelW + GAP;
            g.setColor(Color.DARK_GRAY);
            g.drawString(captions.get(p), x0 + GAP, TITLE + 16);
            float[][] panel = images.get(p);
            for (int i = 0; i < panel.length; i++) {
                if (panel[i] != null) draw(canvas, panel[i], layout, scale, x0 + (i % columns) * cellW, TITLE * 2 + (i / columns) * cellH);
            }
        }
        g.dispose();
        ImageIO.write(canvas, "png", file.toFile());
    }

    private static void draw(BufferedImage canvas, float[] point, Layout layout, int scale, int left, int top) {
        int c = layout.channels();
        for (int y = 0; y < layout.height(); y++) {
            for (int x = 0; x < layout.width(); x++) {
                int base = (y * layout.width() + x) * c;
                int r = level(point[base], layout);
                int rgb = c == 3 ? (r << 16) | (level(point[base + 1], layout) << 8) | level(point[base + 2], layout) : (r << 16) | (r << 8) | r;
                for (int dy = 0; dy < scale; dy++) {
                    for (int dx = 0; dx < scale; dx++) canvas.setRGB(left + x * scale + dx, top + y * scale + dy, rgb);
                }
            }
        }
    }

    private static int level(float v, Layout layout) {
        double u = (v - layout.low()) / (layout.high() - layout.low());
        if (!(u > 0)) return 0; // NaN too
        return (int) Math.min(255, Math.round(u * 255));
    }
}
