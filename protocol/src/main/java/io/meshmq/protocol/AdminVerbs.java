package io.meshmq.protocol;

/**
 * The management verbs of an ADMIN frame, with their arguments. Each answers with an {@link AdminTable}: the
 * listing for {@code *.list}, otherwise one row saying what was done.
 */
public final class AdminVerbs
{
    /** name: creates a queue; fine if it exists. */
    public static final String QUEUE_CREATE = "queue.create";
    /** name: deletes a queue and the messages in it; refused while it has consumers. */
    public static final String QUEUE_DELETE = "queue.delete";
    /** name: drops every message waiting in a queue; answers how many. */
    public static final String QUEUE_PURGE = "queue.purge";
    /**
     * name [max]: the first max (default 100) messages waiting in a queue, not taken: position, id, priority,
     * persistent, bytes, properties, and the body as text (the start of a text message's, else its kind and size).
     */
    public static final String QUEUE_BROWSE = "queue.browse";
    /**
     * source target [selector]: moves the messages waiting in a queue (those the selector matches, or all) to another
     * existing queue, in order, each marked with the queue it came from; paged ones are read back as moving makes room.
     * Answers how many moved and how many are still paged (with a selector, messages it does not match can fill the
     * queue's room, so the paged rest waits for consumers to take some: move again then).
     */
    public static final String QUEUE_MOVE = "queue.move";
    /**
     * no arguments: name, kind, messages, scheduled, delivering, consumers, added, acknowledged, expired, paged (of the
     * messages, those in page files), paged-bytes (what those files hold) and producer-holds (times its producers were
     * held for its consumers to catch up) per queue.
     */
    public static final String QUEUE_LIST = "queue.list";
    /** name: creates a topic; fine if it exists. */
    public static final String TOPIC_CREATE = "topic.create";
    /** name: deletes a topic and its subscriptions; refused while one has consumers. */
    public static final String TOPIC_DELETE = "topic.delete";
    /** no arguments: name, subscriptions, published per topic. */
    public static final String TOPIC_LIST = "topic.list";
    /**
     * no arguments: topic, name, client id, durable, shared, selector, messages, consumers, delivering and queue (the
     * broker's name for the subscription's queue, unique) per subscription.
     */
    public static final String SUBSCRIPTION_LIST = "subscription.list";
    /** no arguments: xid, state, messages, acknowledged per prepared or heuristically completed XA branch. */
    public static final String XA_LIST = "xa.list";
    /** xid (as xa.list shows it): commits a prepared branch by hand; its transaction manager is told so. */
    public static final String XA_COMMIT = "xa.commit";
    /** xid: rolls a prepared branch back by hand; its transaction manager is told so. */
    public static final String XA_ROLLBACK = "xa.rollback";
    /** no arguments: id, address, user, client id, kind (client or cluster), consumers per connection. */
    public static final String CONNECTION_LIST = "connection.list";
    /** id (as connection.list shows it): closes that connection; its unacknowledged messages go back. */
    public static final String CONNECTION_CLOSE = "connection.close";
    /** What every cluster verb begins with; a broker in no cluster refuses them all. */
    public static final String CLUSTER_PREFIX = "cluster.";
    /**
     * no arguments: node, id, url, state, backlog, forwarded, bindings, consumers, clients, found, round-trip-us (of
     * the last ping on the link; -1 not yet) and replica-lag-ms (this node's replica in sync: the age of the oldest
     * force it has not stored yet; -1 none), replica (the node holding this node's replica), group (its
     * cluster.group) and suspended for this node and every other it knows.
     */
    public static final String CLUSTER_STATUS = "cluster.status";
    /** HOST:PORT [active|inactive]: defines a cluster connection; it spreads to every member and survives restarts. */
    public static final String CLUSTER_ADD = "cluster.add";
    /** HOST:PORT: removes a cluster connection, on every member. */
    public static final String CLUSTER_REMOVE = "cluster.remove";
    /**
     * NODE (a node's name): it takes no new work that another node can take, and its clients are sent to other nodes
     * (IBM MQ's SUSPEND QMGR); kept across its restarts until resumed. Answers node, state (suspended, or asked
     * when another node was asked over its link).
     */
    public static final String CLUSTER_SUSPEND = "cluster.suspend";
    /** NODE: takes back a suspension. Answers as cluster.suspend does. */
    public static final String CLUSTER_RESUME = "cluster.resume";
    /**
     * NODE (one that is down): forgets it on every member, as cluster.remove of its member does; answers node, member,
     * state, queues (its queues and subscriptions this node knew) and waiting-here (messages for it in this node's
     * forward queue, left there for an operator).
     */
    public static final String CLUSTER_FORCE_REMOVE = "cluster.force-remove";
    /** no arguments: member, definition, link for every cluster connection this node knows. */
    public static final String CLUSTER_LIST = "cluster.list";
    /** no arguments: node, kind, address, queue, consumers, selectors for every queue and subscription of other nodes. */
    public static final String CLUSTER_BINDINGS = "cluster.bindings";

    private AdminVerbs()
    {
    }
}
