package io.djlquant.zoo.workflow;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Draws the Float / QFloat / Q top-1 bars of each stage into a PNG (headless AWT). */
final class BarChart {

    private static final int WIDTH = 760;
    private static final int HEIGHT = 460;
    private static final Color[] COLORS = {
        new Color(0x4C72B0), new Color(0xDD8452), new Color(0x55A868)
    };
    private static final String[] SERIES = {"Float", "QFloat", "Q (int8, JavaQuant)"};

    private BarChart() {}

    static void write(Report report, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            draw(g, report);
        } finally {
            g.dispose();
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer available for " + file);
        }
    }

    private static void draw(Graphics2D g, Report report) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(
                RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        List<StageResult> stages = report.stages();
        double min = 1;
        for (StageResult s : stages) {
            min = Math.min(min, Math.min(s.floatTop1(), Math.min(s.qfloatTop1(), s.qTop1())));
        }
        // The axis starts a little below the lowest bar, so small differences stay visible.
        double lo = Math.max(0, Math.floor(min * 100 / 5) * 5 - 5);
        double hi = 100;
        int left = 70;
        int right = WIDTH - 30;
        int top = 60;
        int bottom = HEIGHT - 70;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(
                String.format(
                        Locale.ROOT,
                        "ResNet18, Fashion-MNIST top-1 (%d test images)",
                        report.testImages()),
                left,
                30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (double v = lo; v <= hi + 1e-9; v += 5) {
            int y = yOf(v, lo, hi, top, bottom);
            g.setColor(new Color(0xDDDDDD));
            g.drawLine(left, y, right, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "%.0f%%", v), left - 45, y + 4);
        }
        int groups = stages.size();
        int groupWidth = (right - left) / Math.max(1, groups);
        int barWidth = groupWidth / 5;
        FontMetrics fm = g.getFontMetrics();
        for (int s = 0; s < groups; s++) {
            StageResult r = stages.get(s);
            double[] values = {r.floatTop1(), r.qfloatTop1(), r.qTop1()};
            int x0 = left + s * groupWidth + barWidth;
            for (int b = 0; b < 3; b++) {
                int x = x0 + b * barWidth;
                int y = yOf(values[b] * 100, lo, hi, top, bottom);
                g.setColor(COLORS[b]);
                g.fillRect(x, y, barWidth - 6, bottom - y);
                g.setColor(Color.BLACK);
                String label = String.format(Locale.ROOT, "%.2f", values[b] * 100);
                g.drawString(label, x + (barWidth - 6 - fm.stringWidth(label)) / 2, y - 4);
            }
            String name = r.name() + " (" + r.qconfig() + ")";
            g.drawString(name, x0 + (3 * barWidth - fm.stringWidth(name)) / 2, bottom + 18);
        }
        g.setStroke(new BasicStroke(1.5f));
        g.drawLine(left, bottom, right, bottom);
        int lx = left;
        for (int b = 0; b < 3; b++) {
            g.setColor(COLORS[b]);
            g.fillRect(lx, HEIGHT - 35, 14, 14);
            g.setColor(Color.BLACK);
            g.drawString(SERIES[b], lx + 20, HEIGHT - 23);
            lx += 40 + fm.stringWidth(SERIES[b]);
        }
    }

    private static int yOf(double v, double lo, double hi, int top, int bottom) {
        double t = (Math.max(lo, Math.min(hi, v)) - lo) / (hi - lo);
        return (int) Math.round(bottom - t * (bottom - top));
    }
}
