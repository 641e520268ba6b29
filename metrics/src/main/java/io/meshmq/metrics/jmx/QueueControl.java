package io.meshmq.metrics.jmx;

import io.meshmq.metrics.AdminCalls;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;

/**
 * One queue's MBean: each read asks the processor for the queue table, so values are current.
 */
final class QueueControl extends DestinationControl implements QueueControlMBean
{
    QueueControl(final AdminCalls admin, final String name)
    {
        super(admin, name);
    }

    @Override
    public long getMessageCount()
    {
        return column("messages");
    }

    @Override
    public long getScheduledCount()
    {
        return column("scheduled");
    }

    @Override
    public long getDeliveringCount()
    {
        return column("delivering");
    }

    @Override
    public long getConsumerCount()
    {
        return column("consumers");
    }

    @Override
    public long getMessagesAdded()
    {
        return column("added");
    }

    @Override
    public long getMessagesAcknowledged()
    {
        return column("acknowledged");
    }

    @Override
    public long getMessagesExpired()
    {
        return column("expired");
    }

    @Override
    public long getProducerHolds()
    {
        return column("producer-holds");
    }

    @Override
    public long removeAllMessages()
    {
        return ((Number)admin.call(AdminVerbs.QUEUE_PURGE, name).value(0, "dropped")).longValue();
    }

    @Override
    public long moveMessages(final String filter, final String otherQueueName)
    {
        final AdminTable moved = filter == null || filter.isBlank() ?
            admin.call(AdminVerbs.QUEUE_MOVE, name, otherQueueName) :
            admin.call(AdminVerbs.QUEUE_MOVE, name, otherQueueName, filter);
        return ((Number)moved.value(0, "moved")).longValue();
    }

    @Override
    public String[] browse(final int max)
    {
        final AdminTable table = admin.call(AdminVerbs.QUEUE_BROWSE, name, Integer.toString(max));
        final String[] lines = new String[table.rows().size()];
        for (int r = 0; r < lines.length; r++)
        {
            lines[r] = table.value(r, "position") + ". " + table.value(r, "id") + " priority " +
                table.value(r, "priority") + (Boolean.TRUE.equals(table.value(r, "persistent")) ? " persistent " :
                " non-persistent ") + table.value(r, "bytes") + " bytes " + table.value(r, "properties") + " " +
                table.value(r, "body");
        }
        return lines;
    }

    private long column(final String column)
    {
        return admin.number(AdminVerbs.QUEUE_LIST, name, column);
    }
}
