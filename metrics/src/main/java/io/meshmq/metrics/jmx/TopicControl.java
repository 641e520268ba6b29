package io.meshmq.metrics.jmx;

import io.meshmq.metrics.AdminCalls;
import io.meshmq.protocol.AdminVerbs;

/**
 * One topic's MBean: each read asks the processor for the topic table.
 */
final class TopicControl extends DestinationControl implements TopicControlMBean
{
    TopicControl(final AdminCalls admin, final String name)
    {
        super(admin, name);
    }

    @Override
    public long getSubscriptionCount()
    {
        return admin.number(AdminVerbs.TOPIC_LIST, name, "subscriptions");
    }

    @Override
    public long getMessagesPublished()
    {
        return admin.number(AdminVerbs.TOPIC_LIST, name, "published");
    }
}
