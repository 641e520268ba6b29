package io.meshmq.engine.processor;

import io.meshmq.engine.extension.AdminHandler;
import io.meshmq.engine.extension.ProcessorExtension;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;
import io.meshmq.protocol.ProtocolException;
import io.meshmq.protocol.MessageFields;
import io.meshmq.selector.Selector;
import io.meshmq.selector.SelectorSyntaxException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The management verbs ({@link AdminVerbs}) as the processor runs them: listings, and creating, deleting and
 * purging destinations, and completing XA branches by hand.
 * <p>
 * Not thread safe: processor thread only.
 */
final class AdminCommands
{
    private final Destinations destinations;
    private final ScheduledDeliveries scheduled;
    private final Durability durability;
    private final Paging paging;
    private final XaBranches xa;
    private final Consumer<ServerQueue> deleteSubscription;
    private final ProcessorExtension extension;
    private final AdminHandler handler;
    private final Connections connections;
    private final DeadLetters moves;
    private final Dispatcher dispatcher;
    /** Where the handler's files are written, mirrored to the replica. */
    private final ProcessorControl files;
    private final AdminHandler.Broker handlerView = new AdminHandler.Broker()
    {
        @Override
        public long depthOf(final String queue)
        {
            return depth(queue);
        }

        @Override
        public void replaceFile(final String name, final String content) throws IOException
        {
            files.replaceFile(name, content);
        }
    };

    AdminCommands(final Destinations destinations, final ScheduledDeliveries scheduled, final Durability durability,
        final Paging paging, final XaBranches xa, final Consumer<ServerQueue> deleteSubscription,
        final ProcessorExtension extension, final AdminHandler handler, final Connections connections,
        final DeadLetters moves, final Dispatcher dispatcher, final ProcessorControl files)
    {
        this.files = files;
        this.moves = moves;
        this.dispatcher = dispatcher;
        this.connections = connections;
        this.handler = handler;
        this.destinations = destinations;
        this.scheduled = scheduled;
        this.durability = durability;
        this.paging = paging;
        this.xa = xa;
        this.deleteSubscription = deleteSubscription;
        this.extension = extension;
    }

    /**
     * @throws IllegalArgumentException for an unknown verb, a bad argument or a destination that does not exist.
     * @throws IllegalStateException if the destination's state forbids it (consumers attached, say).
     */
    AdminTable run(final String verb, final String[] args)
    {
        final AdminTable extended = extension.admin(verb, args);
        if (extended != null)
        {
            return extended;
        }
        final AdminTable handled = handler.admin(verb, args, handlerView);
        if (handled != null)
        {
            return handled;
        }
        if (verb.startsWith(AdminVerbs.CLUSTER_PREFIX))
        {
            throw new IllegalStateException("this broker is in no cluster (start it with --cluster NAME)");
        }
        switch (verb)
        {
            case AdminVerbs.QUEUE_LIST: return destinations.queueTable(scheduled);
            case AdminVerbs.CONNECTION_LIST: return connections.table();
            case AdminVerbs.QUEUE_BROWSE:
                if (args.length < 1 || args.length > 2)
                {
                    throw new IllegalArgumentException(verb + " takes a queue name and, optionally, how many to show");
                }
                return browse(existingQueue(verb, new String[] {args[0]}), args.length > 1 ? browseMax(args[1]) : 100);
            case AdminVerbs.CONNECTION_CLOSE: return connections.close(connectionId(verb, args));
            case AdminVerbs.TOPIC_LIST: return destinations.topicTable();
            case AdminVerbs.SUBSCRIPTION_LIST: return destinations.subscriptionTable();
            case AdminVerbs.XA_LIST: return xa.table();
            case AdminVerbs.XA_COMMIT: return xa.completeByHand(xidArgument(verb, args), true);
            case AdminVerbs.XA_ROLLBACK: return xa.completeByHand(xidArgument(verb, args), false);
            case AdminVerbs.QUEUE_CREATE:
            {
                final String name = nameArgument(verb, args);
                final ServerQueue existing = destinations.queues.get(name);
                if (existing != null && existing.kind != ServerQueue.Kind.QUEUE)
                {
                    throw new IllegalStateException("'" + name + "' is a temporary queue");
                }
                final boolean created = existing == null;
                destinations.queue(name);
                return new AdminTable("queue", "created").row(name, created);
            }
            case AdminVerbs.TOPIC_CREATE:
            {
                final String name = nameArgument(verb, args);
                final boolean created = !destinations.topics.containsKey(name);
                destinations.topic(name);
                return new AdminTable("topic", "created").row(name, created);
            }
            case AdminVerbs.QUEUE_DELETE:
            {
                final ServerQueue queue = existingQueue(verb, args);
                if (queue.drain != null)
                {
                    throw new IllegalStateException("'" + queue.name + "' holds the messages waiting for " +
                        queue.drain.describe() + "; purge it to drop them, it cannot be deleted");
                }
                if (!queue.consumers.isEmpty())
                {
                    throw new IllegalStateException("queue '" + queue.name + "' has " + queue.consumers.size() +
                        " consumer(s); close them first");
                }
                final long dropped = queue.size() + queue.paged() + scheduled.countFor(queue);
                destinations.deleteQueue(queue, scheduled.removeFor(queue));
                return new AdminTable("queue", "dropped").row(queue.name, dropped);
            }
            case AdminVerbs.QUEUE_PURGE:
            {
                final ServerQueue queue = existingQueue(verb, args);
                final List<MessageReference> purged = queue.clear();
                purged.addAll(scheduled.removeFor(queue));
                for (final MessageReference reference : purged)
                {
                    durability.referenceGone(reference, true);
                }
                final long dropped = purged.size() + paging.drop(queue);
                durability.pagingEnded(queue);
                return new AdminTable("queue", "dropped").row(queue.name, dropped);
            }
            case AdminVerbs.QUEUE_MOVE: return move(verb, args);
            case AdminVerbs.TOPIC_DELETE:
            {
                final String name = nameArgument(verb, args);
                final TopicAddress topic = destinations.topics.get(name);
                if (topic == null || topic.temporary)
                {
                    throw new IllegalArgumentException("there is no topic '" + name + "'");
                }
                for (final ServerQueue subscription : topic.subscriptions)
                {
                    if (subscription.attached > 0)
                    {
                        throw new IllegalStateException("topic '" + name + "' has subscribers; close them first");
                    }
                }
                for (final ServerQueue subscription : new ArrayList<>(topic.subscriptions))
                {
                    deleteSubscription.accept(subscription);
                }
                destinations.deleteTopic(topic);
                return new AdminTable("topic", "deleted").row(name, true);
            }
            default:
                throw new IllegalArgumentException("unknown admin verb '" + verb + "'");
        }
    }

    /**
     * Moves waiting messages, oldest first within each priority, reading paged ones back as room is made; messages
     * being delivered and those scheduled for later stay.
     */
    private AdminTable move(final String verb, final String[] args)
    {
        if (args.length < 2 || args.length > 3)
        {
            throw new IllegalArgumentException(verb + " takes a source queue, a target queue and, optionally, a " +
                "selector");
        }
        final ServerQueue from = existingQueue(verb, new String[] {args[0]});
        final ServerQueue to = existingQueue(verb, new String[] {args[1]});
        if (from == to)
        {
            throw new IllegalArgumentException("'" + from.name + "' is both the source and the target");
        }
        final Selector selector;
        try
        {
            selector = args.length < 3 || args[2].isBlank() ? null : Selector.parse(args[2]);
        }
        catch (final SelectorSyntaxException ex)
        {
            throw new IllegalArgumentException("selector '" + args[2] + "': " + ex.getMessage());
        }
        long moved = 0;
        while (true)
        {
            long now = 0;
            MessageReference next;
            for (MessageReference reference = from.first(); reference != null; reference = next)
            {
                next = from.after(reference);
                if (selector == null || reference.message.matches(selector))
                {
                    from.remove(reference);
                    moves.moveByHand(from, reference, to);
                    now++;
                }
            }
            moved += now;
            if (now == 0 || from.paged() == 0)
            {
                break;
            }
            paging.readBackWhereRoom();
        }
        dispatcher.touch(to);
        return new AdminTable("queue", "target", "moved", "still-paged").row(from.name, to.name, moved, from.paged());
    }

    private static String nameArgument(final String verb, final String[] args)
    {
        if (args.length != 1 || args[0] == null || args[0].isBlank())
        {
            throw new IllegalArgumentException(verb + " takes one argument: a destination name");
        }
        return args[0];
    }

    private static String xidArgument(final String verb, final String[] args)
    {
        if (args.length != 1 || args[0] == null || args[0].isBlank())
        {
            throw new IllegalArgumentException(verb + " takes one argument: an xid as xa list shows it");
        }
        return args[0];
    }

    private static int browseMax(final String max)
    {
        try
        {
            final int parsed = Integer.parseInt(max);
            if (parsed >= 1 && parsed <= 10_000)
            {
                return parsed;
            }
        }
        catch (final NumberFormatException ignored)
        {
            // reported below
        }
        throw new IllegalArgumentException(AdminVerbs.QUEUE_BROWSE + ": max '" + max + "' must be 1 to 10000");
    }

    /**
     * @return the first {@code max} waiting messages of the queue as text, in delivery order; nothing is taken.
     */
    private static AdminTable browse(final ServerQueue queue, final int max)
    {
        final AdminTable table = new AdminTable("position", "id", "priority", "persistent", "bytes", "properties",
            "body");
        int position = 0;
        for (MessageReference reference = queue.first(); reference != null && position < max;
             reference = queue.after(reference))
        {
            final ServerMessage message = reference.message();
            String id = "?";
            String properties = "?";
            String body;
            try
            {
                final MessageFields fields = message.fields();
                id = fields.messageId();
                properties = new java.util.TreeMap<>(fields.properties()).toString();
                body = BrowsedBody.describe(message.encoded(), fields.bodyOffset());
            }
            catch (final ProtocolException ex)
            {
                body = "unreadable: " + ex.getMessage();
            }
            table.row((long)++position, id, message.priority(), message.isPersistent(), (long)message.encoded().length,
                properties, body);
        }
        return table;
    }

    private static long connectionId(final String verb, final String[] args)
    {
        final String id = nameArgument(verb, args);
        try
        {
            return Long.parseLong(id);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(verb + ": '" + id + "' is not a connection id (connection list " +
                "shows them)");
        }
    }

    private long depth(final String name)
    {
        final ServerQueue queue = destinations.queues.get(name);
        return queue == null ? -1 : queue.size() + queue.paged() + scheduled.countFor(queue);
    }

    private ServerQueue existingQueue(final String verb, final String[] args)
    {
        final String name = nameArgument(verb, args);
        final ServerQueue queue = destinations.queues.get(name);
        if (queue == null)
        {
            throw new IllegalArgumentException("there is no queue '" + name + "'");
        }
        return queue;
    }
}
