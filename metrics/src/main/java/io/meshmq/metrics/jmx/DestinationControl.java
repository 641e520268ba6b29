package io.meshmq.metrics.jmx;

import io.meshmq.metrics.AdminCalls;

/**
 * What a queue's and a topic's MBean share: the destination's name and the admin verbs to read it through.
 */
abstract class DestinationControl
{
    final AdminCalls admin;
    final String name;

    DestinationControl(final AdminCalls admin, final String name)
    {
        this.admin = admin;
        this.name = name;
    }

    public String getName()
    {
        return name;
    }
}
