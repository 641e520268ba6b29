package io.meshmq.cluster.routing;

import io.meshmq.engine.extension.EngineControl;
import io.meshmq.selector.Selector;
import io.meshmq.selector.SelectorSyntaxException;

import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The durable and shared subscriptions of other nodes, kept in a file of the data directory (and so in its replica):
 * a node that restarts, or takes a journal over, routes publishes to them from its first message on, though their
 * nodes' links are not up yet. Without it a publish in that gap found no subscriber elsewhere and was gone, confirmed
 * (ColocatedTest: an async publisher's completed sends of 0.2-0.7 s per takeover never reached a durable subscriber).
 * <p>
 * A line per subscription: node id, topic, subscription queue, selector ("" for none), each URL-encoded, separated by
 * spaces. The file is a hint: one that cannot be read is logged and ignored, as the first snapshot of each node's
 * bindings says what is true.
 * <p>
 * Not thread safe: processor thread only.
 */
final class KnownSubscriptions
{
    static final String FILE = "cluster-subscriptions";
    private static final System.Logger LOG = System.getLogger(KnownSubscriptions.class.getName());

    private final EngineControl control;
    private String written = "";
    /** The last write failed: try again at the next chance. */
    private boolean unsaved;

    KnownSubscriptions(final EngineControl control)
    {
        this.control = control;
    }

    /**
     * Adds what the file says to the topology, creating (down) the nodes it names.
     */
    void restore(final Topology topology, final Function<String, RemoteNode> nodes)
    {
        final Path directory = control.dataDirectory();
        if (directory == null)
        {
            return;
        }
        final Path file = directory.resolve(FILE);
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException none)
        {
            return;
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "cannot read " + file + " (" + ex + "): publishes reach other " +
                "nodes' durable subscriptions once their links are up");
            return;
        }
        int number = 0;
        for (final String line : lines)
        {
            number++;
            if (line.isBlank())
            {
                continue;
            }
            final String[] fields = line.split(" ", -1);
            try
            {
                if (fields.length != 4)
                {
                    throw new IllegalArgumentException("4 fields expected, " + fields.length + " found");
                }
                final String selector = decode(fields[3]);
                topology.restore(nodes.apply(decode(fields[0])), decode(fields[1]), decode(fields[2]),
                    selector.isEmpty() ? null : Selector.parse(selector));
            }
            catch (final IllegalArgumentException | SelectorSyntaxException ex)
            {
                LOG.log(System.Logger.Level.WARNING, file + " line " + number + " ignored: " + ex.getMessage());
            }
        }
        written = String.join("\n", lines) + (lines.isEmpty() ? "" : "\n");
    }

    /**
     * Writes the file again if the subscriptions of other nodes changed since it was last written.
     */
    void saveIfChanged(final Topology topology)
    {
        if (!topology.takeSubscriptionsChanged() && !unsaved)
        {
            return;
        }
        final StringBuilder text = new StringBuilder();
        for (final RemoteBinding binding : topology.groupedSubscriptions())
        {
            text.append(encode(binding.node.id)).append(' ').append(encode(binding.address)).append(' ')
                .append(encode(binding.queue)).append(' ')
                .append(encode(binding.filter == null ? "" : binding.filter.text())).append('\n');
        }
        if (text.toString().equals(written))
        {
            return;
        }
        try
        {
            // On the processor thread: a force per change of another node's durable or shared subscriptions, which
            // are rare; the file must reach the replica in order with the journal it describes.
            control.replaceFile(FILE, text.toString());
            written = text.toString();
            unsaved = false;
        }
        catch (final IOException ex)
        {
            unsaved = true;
            LOG.log(System.Logger.Level.WARNING, "cannot write " + FILE + " (" + ex + "): after a restart, publishes " +
                "reach other nodes' durable subscriptions only once their links are up");
        }
    }

    private static String encode(final String field)
    {
        return URLEncoder.encode(field, StandardCharsets.UTF_8);
    }

    private static String decode(final String field)
    {
        return URLDecoder.decode(field, StandardCharsets.UTF_8);
    }
}
