package io.meshmq.metrics.console;

import java.util.List;

/**
 * A queue's rates over the last minutes as a small SVG chart: messages in (blue) and out (green) per second, scaled
 * to the highest rate shown, which is written beside it.
 */
final class RateChart
{
    private static final int WIDTH = 200;
    private static final int HEIGHT = 36;

    private RateChart()
    {
    }

    static String svg(final List<RateHistory.Rate> rates)
    {
        double highest = 1;
        for (final RateHistory.Rate rate : rates)
        {
            highest = Math.max(highest, Math.max(rate.in(), rate.out()));
        }
        final StringBuilder svg = new StringBuilder(1024)
            .append("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\"")
            .append(" width=\"").append(WIDTH + 60).append("\" height=\"").append(HEIGHT).append("\">")
            .append("<rect width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
            .append("\" fill=\"#f7f7f7\"/>");
        if (rates.size() > 1)
        {
            svg.append(line(rates, highest, true, "#36c")).append(line(rates, highest, false, "#3a7"));
        }
        return svg.append("<text x=\"").append(WIDTH + 4).append("\" y=\"12\" font-size=\"10\">")
            .append(String.format("%.0f/s", highest)).append("</text></svg>").toString();
    }

    private static String line(final List<RateHistory.Rate> rates, final double highest, final boolean in,
        final String colour)
    {
        final StringBuilder points = new StringBuilder(rates.size() * 12);
        final int slots = RateHistory.SAMPLES - 1;
        final int offset = slots - rates.size();
        for (int i = 0; i < rates.size(); i++)
        {
            final double value = in ? rates.get(i).in() : rates.get(i).out();
            points.append(Math.round((offset + i) * (double)WIDTH / (slots - 1))).append(',')
                .append(Math.round(HEIGHT - 2 - value / highest * (HEIGHT - 4))).append(' ');
        }
        return "<polyline class=\"" + (in ? "in" : "out") + "\" fill=\"none\" stroke=\"" + colour +
            "\" stroke-width=\"1.5\" points=\"" + points.toString().trim() + "\"/>";
    }
}
