package io.meshmq.engine.processor;

import io.meshmq.engine.journal.JournalEntry;

import java.util.ArrayList;
import java.util.List;

/**
 * A topic: the subscriptions a published message is copied to.
 */
final class TopicAddress extends JournalEntry
{
    final String name;
    final boolean temporary;
    final long ownerConnectionId;
    final List<ServerQueue> subscriptions = new ArrayList<>();
    long messagesPublished;
    boolean deleted;

    TopicAddress(final String name, final boolean temporary, final long ownerConnectionId)
    {
        this.name = name;
        this.temporary = temporary;
        this.ownerConnectionId = ownerConnectionId;
    }
}
