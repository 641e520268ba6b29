package io.meshmq.ra.inbound;

import io.meshmq.ra.BrokerLogin;
import io.meshmq.ra.BrokerSettings;
import io.meshmq.ra.MeshResourceAdapter;
import jakarta.jms.Session;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.InvalidPropertyException;
import jakarta.resource.spi.ResourceAdapter;

import java.util.ArrayList;
import java.util.List;

/**
 * An MDB's activation: the properties of its {@code @ActivationConfigProperty}s or {@code activation-config}, named
 * as Jakarta EE users know them. Unset connection properties come from the adapter's.
 */
public final class MeshActivationSpec extends BrokerSettings implements ActivationSpec
{
    static final String QUEUE = "jakarta.jms.Queue";
    static final String TOPIC = "jakarta.jms.Topic";

    private String destination;
    private String destinationType = QUEUE;
    private String messageSelector;
    private String acknowledgeMode = "Auto-acknowledge";
    private String subscriptionDurability = "NonDurable";
    private String subscriptionName;
    private String clientId;
    private boolean shareSubscriptions;
    private int maxSession = 8;
    private long reconnectIntervalMs = 1000;
    private ResourceAdapter resourceAdapter;

    /**
     * Every problem at once, each naming the property: a deployer fixes them in one go.
     */
    @Override
    public void validate() throws InvalidPropertyException
    {
        final List<String> problems = new ArrayList<>();
        if (destination == null)
        {
            problems.add("destination is not set: the name of the queue or topic the MDB consumes from");
        }
        if (!isQueue() && !isTopic())
        {
            problems.add("destinationType is '" + destinationType + "': it is " + QUEUE + " or " + TOPIC);
        }
        if (!"Auto-acknowledge".equals(acknowledgeMode) && !"Dups-ok-acknowledge".equals(acknowledgeMode))
        {
            problems.add("acknowledgeMode is '" + acknowledgeMode + "': it is Auto-acknowledge or Dups-ok-acknowledge");
        }
        if (!"Durable".equals(subscriptionDurability) && !"NonDurable".equals(subscriptionDurability))
        {
            problems.add("subscriptionDurability is '" + subscriptionDurability + "': it is Durable or NonDurable");
        }
        if (isTopic() && (isDurable() || shareSubscriptions) && subscriptionName == null)
        {
            problems.add("subscriptionName is not set: a durable or shared subscription needs one");
        }
        if (isTopic() && isDurable() && !shareSubscriptions && clientId == null)
        {
            problems.add("clientId is not set: an unshared durable subscription is named within a client id " +
                "(or set shareSubscriptions to true)");
        }
        if (maxSession < 1)
        {
            problems.add("maxSession is " + maxSession + ": at least 1 (how many messages are delivered at once)");
        }
        if (reconnectIntervalMs < 1)
        {
            problems.add("reconnectIntervalMs is " + reconnectIntervalMs + ": at least 1");
        }
        if (!problems.isEmpty())
        {
            throw new InvalidPropertyException("MeshMQ activation for " + destination + ": " +
                String.join("; ", problems));
        }
    }

    boolean isQueue()
    {
        return QUEUE.equals(destinationType) || "javax.jms.Queue".equals(destinationType);
    }

    boolean isTopic()
    {
        return TOPIC.equals(destinationType) || "javax.jms.Topic".equals(destinationType);
    }

    boolean isDurable()
    {
        return "Durable".equals(subscriptionDurability);
    }

    int sessionAcknowledgeMode()
    {
        return "Dups-ok-acknowledge".equals(acknowledgeMode) ? Session.DUPS_OK_ACKNOWLEDGE : Session.AUTO_ACKNOWLEDGE;
    }

    public BrokerLogin login()
    {
        return login(resourceAdapter instanceof MeshResourceAdapter adapter ? adapter : null);
    }

    public String getDestination()
    {
        return destination;
    }

    public void setDestination(final String destination)
    {
        this.destination = BrokerLogin.blankAsNull(destination);
    }

    /**
     * The name Artemis and other adapters also take for the destination.
     */
    public void setDestinationLookup(final String destination)
    {
        setDestination(destination);
    }

    public String getDestinationType()
    {
        return destinationType;
    }

    public void setDestinationType(final String destinationType)
    {
        this.destinationType = destinationType == null ? null : destinationType.trim();
    }

    public String getMessageSelector()
    {
        return messageSelector;
    }

    public void setMessageSelector(final String messageSelector)
    {
        this.messageSelector = BrokerLogin.blankAsNull(messageSelector);
    }

    public String getAcknowledgeMode()
    {
        return acknowledgeMode;
    }

    public void setAcknowledgeMode(final String acknowledgeMode)
    {
        this.acknowledgeMode = acknowledgeMode == null ? null : acknowledgeMode.trim();
    }

    public String getSubscriptionDurability()
    {
        return subscriptionDurability;
    }

    public void setSubscriptionDurability(final String subscriptionDurability)
    {
        this.subscriptionDurability = subscriptionDurability == null ? null : subscriptionDurability.trim();
    }

    public String getSubscriptionName()
    {
        return subscriptionName;
    }

    public void setSubscriptionName(final String subscriptionName)
    {
        this.subscriptionName = BrokerLogin.blankAsNull(subscriptionName);
    }

    public String getClientId()
    {
        return clientId;
    }

    public void setClientId(final String clientId)
    {
        this.clientId = BrokerLogin.blankAsNull(clientId);
    }

    public boolean getShareSubscriptions()
    {
        return shareSubscriptions;
    }

    public void setShareSubscriptions(final boolean shareSubscriptions)
    {
        this.shareSubscriptions = shareSubscriptions;
    }

    public int getMaxSession()
    {
        return maxSession;
    }

    public void setMaxSession(final int maxSession)
    {
        this.maxSession = maxSession;
    }







    public long getReconnectIntervalMs()
    {
        return reconnectIntervalMs;
    }

    /**
     * @param reconnectIntervalMs the first wait before connecting again after the broker was lost; it doubles up
     *                            to thirty times this while the broker stays away.
     */
    public void setReconnectIntervalMs(final long reconnectIntervalMs)
    {
        this.reconnectIntervalMs = reconnectIntervalMs;
    }

    @Override
    public ResourceAdapter getResourceAdapter()
    {
        return resourceAdapter;
    }

    @Override
    public void setResourceAdapter(final ResourceAdapter resourceAdapter)
    {
        this.resourceAdapter = resourceAdapter;
    }

    @Override
    public String toString()
    {
        return destinationType + " " + destination +
            (subscriptionName == null ? "" : " subscription " + subscriptionName);
    }
}
