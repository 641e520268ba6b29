package io.meshmq.engine;

import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import io.meshmq.engine.extension.BrokerExtension;
import io.meshmq.engine.extension.ExtensionProvider;
import io.meshmq.engine.extension.ProcessorExtension;
import io.meshmq.engine.journal.Journal;
import io.meshmq.engine.journal.JournalCorruptException;
import io.meshmq.engine.journal.JournalSyncer;
import io.meshmq.engine.journal.JournalWriteException;
import io.meshmq.engine.large.LargeStore;
import io.meshmq.engine.mirror.SwitchableMirror;
import io.meshmq.engine.net.Acceptor;
import io.meshmq.engine.net.ClientCommandAdapter;
import io.meshmq.engine.net.ConnectionLimits;
import io.meshmq.engine.net.DirectWriteGate;
import io.meshmq.engine.net.ExtensionFrames;
import io.meshmq.engine.net.NativeTransport;
import io.meshmq.engine.processor.Durability;
import io.meshmq.engine.processor.Processor;
import io.meshmq.engine.processor.ProcessorContext;
import io.meshmq.engine.ring.EngineEvent;
import io.meshmq.engine.ring.ExtensionInput;
import io.meshmq.engine.security.Authorizer;
import io.meshmq.engine.vm.VmBrokers;
import io.meshmq.protocol.AdminTable;
import io.meshmq.transport.FrameDecoder;
import io.meshmq.transport.NettyFrames;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalServerChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.agrona.concurrent.SystemEpochClock;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A running broker: Netty acceptors (TCP and in-VM) in front of the engine ring and its processor.
 * <pre>{@code
 * try (Broker broker = Broker.start(new BrokerContext().port(0).dataDir(dir)))
 * {
 *     String url = "tcp://127.0.0.1:" + broker.port();
 * }
 * }</pre>
 * Thread safe: {@link #close()} may be called from any thread, once or more.
 */
public final class Broker implements AutoCloseable
{
    /** Under the data directory: large message bodies, a file each. */
    public static final String LARGE_DIRECTORY = "large";

    private static final System.Logger LOG = System.getLogger(Broker.class.getName());
    private static final long TIMER_PERIOD_MS = 5;

    private final BrokerContext context;
    private final DataDirectory dataDirectory;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup ioGroup;
    private final Disruptor<EngineEvent> disruptor;
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Asks the processor for a TICK when scheduled deliveries are due; the only timing the engine needs. */
    private final ScheduledExecutorService timer;
    private Channel tcpChannel;
    /** The acceptors beside the default one, by name, and the URLs clients reach them at. */
    private final Map<String, Channel> acceptorChannels = new LinkedHashMap<>();
    private final Map<String, String> acceptorUrls = new ConcurrentHashMap<>();
    private Channel vmChannel;
    private InetSocketAddress boundAddress;
    private Journal journal;
    private JournalSyncer syncer;
    private final AtomicLong connectionIds = new AtomicLong();
    private NodeIdentity identity;
    /** The broker's extension (the cluster), or null for a broker with none. */
    private BrokerExtension extension;
    private LargeStore largeStore;
    /** Set once the engine started: the timer asks it when the next TICK is due. */
    private Processor processor;
    private final CompletableFuture<String> stopped = new CompletableFuture<>();
    /** Why the broker stopped itself; null unless it did. */
    private volatile String stopReason;

    private Broker(final BrokerContext context, final DataDirectory dataDirectory)
    {
        this.context = context;
        this.dataDirectory = dataDirectory;
        this.bossGroup = NativeTransport.group(1, new DefaultThreadFactory("meshmq-accept-" + context.name(), true));
        this.ioGroup = NativeTransport.group(context.ioThreads(), new DefaultThreadFactory("meshmq-io-" + context.name(), true));
        this.disruptor = new Disruptor<>(EngineEvent::new, context.ringSize(),
            new DefaultThreadFactory("meshmq-processor-" + context.name(), true), ProducerType.MULTI,
            context.processorWait().strategy());
        this.timer = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("meshmq-timer-" + context.name(), true));
    }

    /**
     * Starts a broker and returns once it accepts connections.
     *
     * @throws BrokerStartException with a message naming what to fix.
     */
    public static Broker start(final BrokerContext context) throws BrokerStartException
    {
        final Broker broker = prepare(context);
        broker.open();
        return broker;
    }

    /**
     * Does what a start does before the broker serves anyone: opens and recovers its journal and starts its processor;
     * {@link #open()} then starts its extension and takes connections. A replica that took a journal over prepares
     * while it waits for the old owner's lease to run out.
     *
     * @throws BrokerStartException with a message naming what to fix (the broker is closed).
     */
    public static Broker prepare(final BrokerContext context) throws BrokerStartException
    {
        try
        {
            context.conclude();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new BrokerStartException(ex.getMessage(), ex);
        }
        final DataDirectory dataDirectory = DataDirectory.open(context.dataDir());
        final Broker broker = new Broker(context, dataDirectory);
        try
        {
            broker.startEngine();
            return broker;
        }
        catch (final BrokerStartException | RuntimeException ex)
        {
            broker.close();
            throw ex;
        }
    }

    /**
     * Serves a {@link #prepare prepared} broker: its extension starts (a cluster node dials its members) and it takes
     * connections.
     *
     * @throws BrokerStartException with a message naming what to fix (the broker is closed).
     */
    public void open() throws BrokerStartException
    {
        try
        {
            startExtension();
            bind();
        }
        catch (final BrokerStartException | RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    private void startEngine() throws BrokerStartException
    {
        final Path journalDirectory = dataDirectory.path().resolve(Journal.DIRECTORY);
        identity = NodeIdentity.load(dataDirectory.path(), context.dataMirror());
        final SwitchableMirror mirror = new SwitchableMirror(context.dataMirror());
        extension = findExtension();
        largeStore = new LargeStore(dataDirectory.path().resolve(LARGE_DIRECTORY),
            Math.max(0, Math.min(context.largeMessageThreshold(), context.maxFrameLength() - 1024)), mirror);
        final Processor processor;
        try
        {
            journal = Journal.open(journalDirectory, context.journalSegmentSize(), context.journalSkipCorrupt(),
                context.journalFileOpener(), mirror);
            final Durability durability = Durability.of(journal, context.journalSync());
            processor = Processor.recover(
                new ProcessorContext(context.name(), context.autoCreateDestinations(), context.queues(), context.topics(),
                    context.addressSettings(), context.globalMaxSize(), dataDirectory.path().resolve("paging"),
                    extension == null ? control -> ProcessorExtension.NONE : extension::attach,
                    context.duplicateIdCacheSize(), new Authorizer(context.users(), context.security()),
                    mirror, context.adminHandler(), largeStore),
                SystemEpochClock.INSTANCE, durability);
            if (context.journalSync() == Durability.SyncPolicy.FORCE)
            {
                final RingBuffer<EngineEvent> ring = disruptor.getRingBuffer();
                syncer = new JournalSyncer(journalDirectory, (request, failure) -> ring.publishEvent((event, sequence) ->
                {
                    event.clear();
                    event.type = EngineEvent.FORCED;
                    event.forced = request;
                    event.reason = failure == null ? null : failure.toString();
                }), context.name(), context.journalForceObserver());
                durability.forceWith(syncer::request);
                syncer.start();
            }
        }
        catch (final JournalCorruptException ex)
        {
            throw new BrokerStartException(ex.offset() < 0 ? ex.getMessage() + ". Nothing was changed." :
                ex.getMessage() + ". Nothing was changed. To start anyway and lose the records after that point, set " +
                "journal.skip-corrupt = true (or move the file away).", ex);
        }
        catch (final IOException | JournalWriteException ex)
        {
            throw new BrokerStartException("cannot open the journal in " + journalDirectory.toAbsolutePath() + ": " + ex, ex);
        }
        disruptor.handleEventsWith(processor);
        disruptor.setDefaultExceptionHandler(new LoggingExceptionHandler());
        disruptor.start();
        this.processor = processor;
    }

    private void startExtension()
    {
        final RingBuffer<EngineEvent> ring = disruptor.getRingBuffer();
        if (extension != null)
        {
            extension.started(new ExtensionInput(ring, connectionIds));
        }
        timer.scheduleAtFixedRate(() ->
        {
            if (processor.nextTickDueMs() <= System.currentTimeMillis())
            {
                // tryPublish: a full ring means the processor is busy and will be asked again next period.
                ring.tryPublishEvent((event, sequence) ->
                {
                    event.clear();
                    event.type = EngineEvent.TICK;
                });
            }
        }, TIMER_PERIOD_MS, TIMER_PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    private void bind() throws BrokerStartException
    {
        final RingBuffer<EngineEvent> ring = disruptor.getRingBuffer();
        final ExtensionFrames frames = extension == null ? null : extension.frames();
        final ConnectionLimits limits = new ConnectionLimits(context.maxConnections(), context.maxConnectionsPerAddress());
        final SslContext tls;
        try
        {
            tls = context.tls() == null ? null : context.tls().serverContext();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new BrokerStartException(ex.getMessage(), ex);
        }
        final ChannelInitializer<Channel> plain = initializer(null, ring, frames, limits);
        if (context.tcpEnabled())
        {
            tcpChannel = listen(context.host(), context.port(), context.defaultAcceptorTls() ?
                initializer(requireTls(tls, "tls"), ring, frames, limits) : plain);
            boundAddress = (InetSocketAddress)tcpChannel.localAddress();
        }
        for (final Acceptor acceptor : context.acceptors())
        {
            if (acceptor.host() == null)
            {
                throw new BrokerStartException("acceptor." + acceptor.name() + ".bind is not set: where should the " +
                    "acceptor '" + acceptor.name() + "' listen (HOST:PORT)?");
            }
            final Channel channel = listen(acceptor.host(), acceptor.port(), acceptor.tls() ?
                initializer(requireTls(tls, "acceptor." + acceptor.name() + ".tls"), ring, frames, limits) : plain);
            final InetSocketAddress address = (InetSocketAddress)channel.localAddress();
            acceptorChannels.put(acceptor.name(), channel);
            acceptorUrls.put(acceptor.name(), Acceptor.url(acceptor.tls(), address.getAddress().getHostAddress(),
                address.getPort()));
        }
        if (context.vmId() != null)
        {
            if (!VmBrokers.register(context.vmId(), this))
            {
                throw new BrokerStartException("in-VM id '" + context.vmId() +
                    "' is already used by another broker in this JVM; give this one another vm-id");
            }
            final ServerBootstrap vm = new ServerBootstrap()
                .group(bossGroup, ioGroup)
                .channel(LocalServerChannel.class)
                .childHandler(plain);
            vmChannel = vm.bind(VmBrokers.address(context.vmId())).syncUninterruptibly().channel();
        }
    }

    public String name()
    {
        return context.name();
    }

    /**
     * @return this node's id, made once for its data directory.
     */
    public String nodeId()
    {
        return identity.id();
    }

    /**
     * @return HOST:PORT where other cluster members reach this broker: as advertised, else where it listens;
     * null before it listens, or where it listens on every interface and advertises nothing (no one address
     * would do: other members then learn it from their own configuration only).
     */
    private String memberAddress()
    {
        if (context.clusterAdvertise() != null)
        {
            return context.clusterAdvertise();
        }
        if (boundAddress == null || boundAddress.getAddress().isAnyLocalAddress())
        {
            return null;
        }
        final String host = boundAddress.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + boundAddress.getPort();
    }

    /**
     * @return the broker's extension (the cluster's node), or null for a broker with none.
     */
    public BrokerExtension extension()
    {
        return extension;
    }

    /**
     * Asks every {@link ExtensionProvider} on the class path whether this broker's settings want its extension.
     * At most one may say yes; settings that name a cluster with no cluster module on the class path are an error.
     */
    private BrokerExtension findExtension() throws BrokerStartException
    {
        final ExtensionProvider.Context extensionContext = new ExtensionProvider.Context(context, identity.id(),
            identity.incarnation(), dataDirectory.path(), this::memberAddress);
        BrokerExtension found = null;
        for (final ExtensionProvider provider : ServiceLoader.load(ExtensionProvider.class, Broker.class.getClassLoader()))
        {
            final BrokerExtension made;
            try
            {
                made = provider.create(extensionContext);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new BrokerStartException(ex.getMessage(), ex);
            }
            if (made != null && found != null)
            {
                throw new BrokerStartException("two extensions want this broker (" + found.getClass().getName() +
                    " and " + made.getClass().getName() + "); only one is supported");
            }
            found = made != null ? made : found;
        }
        if (found == null && context.clusterName() != null)
        {
            throw new BrokerStartException("cluster.name is set to '" + context.clusterName() + "' but the cluster " +
                "module (meshmq-cluster) is not on the class path; add it, or start without a cluster name");
        }
        return found;
    }

    public BrokerContext context()
    {
        return context;
    }

    /**
     * @return the TCP port the broker listens on, or -1 for an in-VM-only broker.
     */
    public int port()
    {
        return boundAddress == null ? -1 : boundAddress.getPort();
    }

    public InetSocketAddress boundAddress()
    {
        return boundAddress;
    }

    /**
     * @return {@code tcp://HOST:PORT} (or {@code tls://} with TLS) for this broker's listener, or {@code vm://ID} if it
     * has none.
     */
    public String url()
    {
        if (boundAddress != null)
        {
            return Acceptor.url(context.defaultAcceptorTls(), boundAddress.getAddress().getHostAddress(),
                boundAddress.getPort());
        }
        return "vm://" + context.vmId();
    }

    /**
     * @return where the acceptor of that name listens, as a client URL; null if there is none.
     */
    public String url(final String acceptor)
    {
        return acceptorUrls.get(acceptor);
    }

    private ChannelInitializer<Channel> initializer(final SslContext tls, final RingBuffer<EngineEvent> ring,
        final ExtensionFrames frames, final ConnectionLimits limits)
    {
        return new ChannelInitializer<>()
        {
            @Override
            protected void initChannel(final Channel ch)
            {
                channels.add(ch);
                if (tls != null)
                {
                    ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                }
                else
                {
                    // The processor may write to a plain socket itself (ChannelConnection).
                    DirectWriteGate.addTo(ch);
                }
                NettyFrames.addFrameDecoder(ch.pipeline(), FrameDecoder.HANDSHAKE_MAX_FRAME_LENGTH);
                ch.pipeline().addLast(new ClientCommandAdapter(ring, connectionIds, context.maxFrameLength(), context.users(),
                    frames, limits, context.handshakeTimeoutMs()).largeStore(largeStore));
            }
        };
    }

    private static SslContext requireTls(final SslContext tls, final String key) throws BrokerStartException
    {
        if (tls == null)
        {
            throw new BrokerStartException(key + " asks for TLS, but no key store is configured (tls.keystore)");
        }
        return tls;
    }

    private Channel listen(final String host, final int port, final ChannelInitializer<Channel> initializer)
        throws BrokerStartException
    {
        final ServerBootstrap tcp = new ServerBootstrap()
            .group(bossGroup, ioGroup)
            .channel(NativeTransport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
            .childHandler(initializer);
        try
        {
            return tcp.bind(host, port).syncUninterruptibly().channel();
        }
        catch (final Exception ex)
        {
            final String where = host + ":" + port;
            if (ex instanceof BindException)
            {
                throw new BrokerStartException("cannot listen on " + where + ": " + ex.getMessage() +
                    " (is another broker running there? choose another with --bind HOST:PORT)", ex);
            }
            throw new BrokerStartException("cannot listen on " + where + ": " + ex, ex);
        }
    }

    public LocalAddress vmAddress()
    {
        return vmChannel == null ? null : (LocalAddress)vmChannel.localAddress();
    }

    public boolean isClosed()
    {
        return closed.get();
    }

    /**
     * Stops accepting, closes every connection, lets the processor finish what is in the ring, and
     * releases the data directory. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        if (context.vmId() != null)
        {
            VmBrokers.unregister(context.vmId(), this);
        }
        if (tcpChannel != null)
        {
            tcpChannel.close().syncUninterruptibly();
        }
        for (final Channel acceptor : acceptorChannels.values())
        {
            acceptor.close().syncUninterruptibly();
        }
        if (vmChannel != null)
        {
            vmChannel.close().syncUninterruptibly();
        }
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        timer.shutdownNow();
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        try
        {
            disruptor.shutdown(5, TimeUnit.SECONDS);
        }
        catch (final com.lmax.disruptor.TimeoutException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "processor did not drain within 5 s; halting it");
            disruptor.halt();
        }
        catch (final IllegalStateException ex)
        {
            // never started
        }
        if (syncer != null)
        {
            syncer.close();
        }
        if (journal != null)
        {
            journal.close();
        }
        dataDirectory.close();
        stopped.complete(stopReason);
    }

    /**
     * @return completes once the broker has stopped: with null after {@link #close()}, or with why it stopped itself
     * (its processor hit an error after which its state could not be trusted).
     */
    /**
     * Asks an admin verb inside this process (the processor answers it in turn with clients' commands), as metrics and
     * management do: no connection, so no permission check.
     *
     * @return completed with the answer, or exceptionally with an {@link IllegalArgumentException} or
     *         {@link IllegalStateException} saying why the verb was refused; never completed once the broker closed.
     */
    public CompletableFuture<AdminTable> admin(final String verb, final String... args)
    {
        final CompletableFuture<AdminTable> answer = new CompletableFuture<>();
        disruptor.getRingBuffer().publishEvent((event, sequence) ->
        {
            event.type = EngineEvent.LOCAL_ADMIN;
            event.destinationName = verb;
            event.sendNames = args;
            event.answer = answer;
        });
        return answer;
    }

    public CompletableFuture<String> stopped()
    {
        return stopped;
    }

    /**
     * Logs a failed command and carries on: the processor catches its own failures, so this is a backstop. An error
     * after which the processor's state cannot be trusted stops the processor at once and the broker after it:
     * nothing confirmed is lost (the journal has it), and a restart recovers a known state.
     */
    private final class LoggingExceptionHandler implements ExceptionHandler<EngineEvent>
    {
        @Override
        public void handleEventException(final Throwable ex, final long sequence, final EngineEvent event)
        {
            if (Processor.isFatal(ex))
            {
                stopReason = "its processor hit " + ex + "; its state could not be trusted";
                LOG.log(System.Logger.Level.ERROR, "broker '" + context.name() + "' stops: " + stopReason +
                    " (what was confirmed is in the journal; restart it)", ex);
                new Thread(Broker.this::close, "meshmq-stop-" + context.name()).start();
                // Thrown on, it ends the processor's thread: no more commands run on the unknown state.
                throw new IllegalStateException("processor stopped after " + ex, ex);
            }
            LOG.log(System.Logger.Level.ERROR, "engine event " + sequence + " failed", ex);
        }

        @Override
        public void handleOnStartException(final Throwable ex)
        {
            LOG.log(System.Logger.Level.ERROR, "processor failed to start", ex);
        }

        @Override
        public void handleOnShutdownException(final Throwable ex)
        {
            LOG.log(System.Logger.Level.ERROR, "processor failed to stop", ex);
        }
    }
}
