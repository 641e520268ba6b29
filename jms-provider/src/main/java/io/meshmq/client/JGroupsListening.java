package io.meshmq.client;

import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;

/**
 * Listens on a JGroups channel for brokers' announcements ({@code jgroups://CHANNEL?file=STACK}). JGroups is an
 * optional dependency of the client: this class is loaded only for such a URL, and its absence is reported then.
 * Runs on the caller's thread; JGroups hands packets over on its own.
 */
final class JGroupsListening
{
    private JGroupsListening()
    {
    }

    static void listen(final ConnectionUrl url, final GroupDiscovery.Heard heard) throws Exception
    {
        try (JChannel channel = new JChannel(url.option("file")))
        {
            channel.setReceiver(new Receiver()
            {
                @Override
                public void receive(final Message message)
                {
                    final byte[] data = message.getArray();
                    if (data != null)
                    {
                        heard.packet(data, message.getOffset(), message.getLength());
                    }
                }
            });
            channel.connect(url.host());
            heard.awaitEnd();
        }
    }
}
