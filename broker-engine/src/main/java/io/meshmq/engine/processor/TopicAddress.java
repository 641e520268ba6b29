package io.meshmq.engine.processor;

import io.meshmq.engine.journal.JournalEntry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A topic: the subscriptions a published message is copied to.
 */
public final class TopicAddress extends JournalEntry
{
    final String name;
    final boolean temporary;
    final long ownerConnectionId;
    final List<ServerQueue> subscriptions = new ArrayList<>();
    private final List<ServerQueue> readOnlySubscriptions = Collections.unmodifiableList(subscriptions);
    long messagesPublished;
    boolean deleted;

    TopicAddress(final String name, final boolean temporary, final long ownerConnectionId)
    {
        this.name = name;
        this.temporary = temporary;
        this.ownerConnectionId = ownerConnectionId;
    }

    public String name()
    {
        return name;
    }

    /**
     * @return true for a temporary topic (it lives as long as the connection that made it).
     */
    public boolean isTemporary()
    {
        return temporary;
    }

    /**
     * @return its subscriptions; read only.
     */
    public List<ServerQueue> subscriptions()
    {
        return readOnlySubscriptions;
    }

    /**
     * A message was published to it (counted for status).
     */
    public void published()
    {
        messagesPublished++;
    }
}
