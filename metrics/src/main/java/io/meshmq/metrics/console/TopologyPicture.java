package io.meshmq.metrics.console;

import io.meshmq.protocol.AdminTable;

import java.util.ArrayList;
import java.util.List;

/**
 * The cluster as this node sees it, drawn as SVG: this node at the top, every other node it knows on a circle, and a
 * line for each link from this node labelled with the messages waiting to cross it and its last ping's round trip.
 * A node that is linked is green, one that is not (yet, or any more) grey. This node's replica is a dashed line to
 * the node that holds it, or to its backup, drawn in the middle.
 */
final class TopologyPicture
{
    private static final int SIZE = 520;
    private static final int RADIUS = 190;
    private static final int NODE_RADIUS = 38;

    /** One node of the picture. */
    record Node(String name, String url, String state, long backlog, long roundTripUs, boolean self, String replica,
        long replicaLagMs)
    {
        boolean linked()
        {
            return self || state.startsWith("up");
        }
    }

    private TopologyPicture()
    {
    }

    /**
     * @param status the {@code cluster.status} table; null for a broker in no cluster.
     */
    static List<Node> nodes(final AdminTable status, final String brokerName, final String brokerUrl)
    {
        final List<Node> nodes = new ArrayList<>();
        if (status == null)
        {
            nodes.add(new Node(brokerName, brokerUrl, "not in a cluster", 0, -1, true, "", -1));
            return nodes;
        }
        for (int r = 0; r < status.rows().size(); r++)
        {
            final String name = String.valueOf(status.value(r, "node"));
            final boolean self = name.endsWith(" (this node)");
            nodes.add(new Node(self ? name.substring(0, name.length() - " (this node)".length()) : name,
                String.valueOf(status.value(r, "url")), String.valueOf(status.value(r, "state")),
                number(status.value(r, "backlog")), number(status.value(r, "round-trip-us")), self,
                String.valueOf(status.value(r, "replica")), number(status.value(r, "replica-lag-ms"))));
        }
        return nodes;
    }

    private static long number(final Object value)
    {
        return value instanceof Number number ? number.longValue() : 0;
    }

    static String svg(final List<Node> nodes)
    {
        final StringBuilder svg = new StringBuilder(2048)
            .append("<svg id=\"topology\" xmlns=\"http://www.w3.org/2000/svg\"")
            .append(" width=\"").append(SIZE).append("\" height=\"").append(SIZE).append("\" viewBox=\"0 0 ")
            .append(SIZE).append(' ').append(SIZE).append("\" font-family=\"sans-serif\" font-size=\"12\">");
        final int count = nodes.size();
        final double[] x = new double[count];
        final double[] y = new double[count];
        for (int i = 0; i < count; i++)
        {
            final double angle = -Math.PI / 2 + 2 * Math.PI * i / count;
            x[i] = SIZE / 2.0 + (count == 1 ? 0 : RADIUS * Math.cos(angle));
            y[i] = SIZE / 2.0 + (count == 1 ? 0 : RADIUS * Math.sin(angle));
        }
        final int self = selfIndex(nodes);
        for (int i = 0; i < count; i++)
        {
            if (i == self)
            {
                continue;
            }
            final Node node = nodes.get(i);
            svg.append("<g class=\"link\" data-to=\"").append(Html.text(node.name())).append("\"><line x1=\"")
                .append(round(x[self])).append("\" y1=\"").append(round(y[self])).append("\" x2=\"")
                .append(round(x[i])).append("\" y2=\"").append(round(y[i])).append("\" stroke=\"")
                .append(node.linked() ? "#3a7" : "#bbb").append("\" stroke-width=\"")
                .append(node.backlog() > 0 ? 4 : 2).append(node.linked() ? "\"" : "\" stroke-dasharray=\"6 4\"")
                .append("/><text x=\"").append(round((x[self] + x[i]) / 2)).append("\" y=\"")
                .append(round((y[self] + y[i]) / 2 - 4)).append("\" text-anchor=\"middle\" fill=\"#555\">backlog ")
                .append(node.backlog()).append(node.roundTripUs() < 0 ? "" : String.format(", %.1f ms",
                    node.roundTripUs() / 1000.0)).append("</text></g>");
        }
        replica(svg, nodes, self, x, y);
        for (int i = 0; i < count; i++)
        {
            final Node node = nodes.get(i);
            svg.append("<g class=\"node\" data-node=\"").append(Html.text(node.name())).append("\"><title>")
                .append(Html.text(node.url() + ": " + node.state())).append("</title><circle cx=\"")
                .append(round(x[i])).append("\" cy=\"").append(round(y[i])).append("\" r=\"").append(NODE_RADIUS)
                .append("\" fill=\"").append(node.self() ? "#cfe8ff" : node.linked() ? "#dff3e4" : "#eee")
                .append("\" stroke=\"").append(node.self() ? "#20344c" : "#888").append("\"/><text x=\"")
                .append(round(x[i])).append("\" y=\"").append(round(y[i]) - 2).append("\" text-anchor=\"middle\"")
                .append(" font-weight=\"bold\">").append(Html.text(node.name())).append("</text><text x=\"")
                .append(round(x[i])).append("\" y=\"").append(round(y[i]) + 14).append("\" text-anchor=\"middle\">")
                .append(node.self() ? "this node" : node.linked() ? "linked" : "not linked").append("</text></g>");
        }
        return svg.append("</svg>").toString();
    }

    /**
     * This node's replica: a dashed line to the node holding it (colocated), or to a backup of its own drawn in the
     * middle, labelled with its lag.
     */
    private static void replica(final StringBuilder svg, final List<Node> nodes, final int self, final double[] x,
        final double[] y)
    {
        final Node live = nodes.get(self);
        if (live.replica().isEmpty() || "null".equals(live.replica()))
        {
            return;
        }
        double toX = SIZE / 2.0 + (nodes.size() == 2 ? 130 : 0);
        double toY = SIZE / 2.0 + (nodes.size() == 1 ? 150 : 0);
        boolean colocated = false;
        for (int i = 0; i < nodes.size(); i++)
        {
            if (i != self && nodes.get(i).name().equals(live.replica()))
            {
                toX = x[i];
                toY = y[i];
                colocated = true;
            }
        }
        svg.append("<g class=\"replica\" data-node=\"").append(Html.text(live.replica())).append("\"><line x1=\"")
            .append(round(x[self])).append("\" y1=\"").append(round(y[self])).append("\" x2=\"").append(round(toX))
            .append("\" y2=\"").append(round(toY)).append("\" stroke=\"#85c\" stroke-width=\"2\" ")
            .append("stroke-dasharray=\"3 3\"/><text x=\"").append(round((x[self] + toX) / 2 + 6)).append("\" y=\"")
            .append(round((y[self] + toY) / 2 + 14)).append("\" fill=\"#85c\">replica").append(live.replicaLagMs() < 0 ?
            " (copying)" : ", lag " + live.replicaLagMs() + " ms").append("</text>");
        if (!colocated)
        {
            svg.append("<rect x=\"").append(round(toX) - 45).append("\" y=\"").append(round(toY) - 18)
                .append("\" width=\"90\" height=\"36\" rx=\"6\" fill=\"#f1e8fb\" stroke=\"#85c\"/><text x=\"")
                .append(round(toX)).append("\" y=\"").append(round(toY) - 2).append("\" text-anchor=\"middle\" ")
                .append("font-weight=\"bold\">").append(Html.text(live.replica())).append("</text><text x=\"")
                .append(round(toX)).append("\" y=\"").append(round(toY) + 12).append("\" text-anchor=\"middle\">")
                .append("backup of ").append(Html.text(live.name())).append("</text>");
        }
        svg.append("</g>");
    }

    private static int selfIndex(final List<Node> nodes)
    {
        for (int i = 0; i < nodes.size(); i++)
        {
            if (nodes.get(i).self())
            {
                return i;
            }
        }
        return 0;
    }

    private static long round(final double value)
    {
        return Math.round(value);
    }
}
