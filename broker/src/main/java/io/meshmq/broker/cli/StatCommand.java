package io.meshmq.broker.cli;

import io.meshmq.admin.MeshAdmin;
import jakarta.jms.JMSException;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code meshmq stat}: a live view of the broker's queues, like top: every interval, each queue's waiting,
 * delivering and consumers, and the messages in and out per second since the last view. On a terminal the screen is
 * redrawn; otherwise each view follows the last.
 */
public final class StatCommand
{
    public static final String USAGE = "stat [--interval MS] [--count N]  [--url URL] [--user U --password P]" +
        "   (queues and their rates every --interval ms, default 1000, until stopped or --count views)";

    private StatCommand()
    {
    }

    public static int run(final String[] args, final PrintStream out) throws UsageException, JMSException,
        InterruptedException
    {
        final Flags flags = Flags.parse("stat", args, 1,
            Set.of("--url", "--user", "--password", "--interval", "--count"), Set.of());
        final long intervalMs = flags.positiveLong("--interval", 1_000);
        if (intervalMs < 100)
        {
            throw new UsageException("stat: --interval '" + intervalMs + "' must be at least 100 ms");
        }
        final long count = flags.positiveLong("--count", Long.MAX_VALUE);
        final boolean terminal = System.console() != null;
        try (MeshAdmin admin = MeshAdmin.connect(flags.get("--url", ClientCommand.DEFAULT_URL), flags.get("--user"),
            flags.get("--password")))
        {
            Map<String, MeshAdmin.QueueInfo> before = new HashMap<>();
            long beforeNs = System.nanoTime();
            for (long view = 0; view < count; view++)
            {
                if (view > 0)
                {
                    Thread.sleep(intervalMs);
                }
                final long nowNs = System.nanoTime();
                final double seconds = Math.max(nowNs - beforeNs, 1) / 1e9;
                final Map<String, MeshAdmin.QueueInfo> now = new HashMap<>();
                final StringBuilder text = new StringBuilder(terminal ? "\u001b[H\u001b[2J" : "");
                text.append(String.format(Locale.ROOT, "%-40s %10s %10s %9s %10s %10s%n", "queue", "waiting",
                    "delivering", "consumers", "in/s", "out/s"));
                for (final MeshAdmin.QueueInfo queue : admin.queues())
                {
                    now.put(queue.name(), queue);
                    final MeshAdmin.QueueInfo last = before.get(queue.name());
                    text.append(String.format(Locale.ROOT, "%-40s %10d %10d %9d %10s %10s%n", queue.name(),
                        queue.messages(), queue.delivering(), queue.consumers(),
                        last == null ? "-" : rate(queue.added() - last.added(), seconds),
                        last == null ? "-" : rate(queue.acknowledged() - last.acknowledged(), seconds)));
                }
                out.print(text);
                out.flush();
                before = now;
                beforeNs = nowNs;
            }
        }
        return 0;
    }

    private static String rate(final long delta, final double seconds)
    {
        return String.format(Locale.ROOT, "%.0f", Math.max(delta, 0) / seconds);
    }
}
