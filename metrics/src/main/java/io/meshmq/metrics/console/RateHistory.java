package io.meshmq.metrics.console;

import io.meshmq.metrics.AdminCalls;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The last minutes of every queue's counts, for the console's rates and charts: {@link #sample} reads the queue
 * table (one admin call) and keeps at most {@value #SAMPLES} samples per queue.
 * <p>
 * Thread safe: sampled on the console's timer thread, read on its HTTP threads (one lock; samples are small).
 */
final class RateHistory
{
    static final int SAMPLES = 150;

    /** A queue's counters when sampled. */
    record Sample(long atMs, long added, long acknowledged, long messages)
    {
    }

    /** Messages in and out per second between two samples, at the later one's time. */
    record Rate(long atMs, double in, double out)
    {
    }

    private final AdminCalls admin;
    private final Map<String, Deque<Sample>> queues = new HashMap<>();

    RateHistory(final AdminCalls admin)
    {
        this.admin = admin;
    }

    void sample(final long nowMs)
    {
        final AdminTable table = admin.call(AdminVerbs.QUEUE_LIST);
        synchronized (queues)
        {
            final Map<String, Deque<Sample>> seen = new HashMap<>();
            for (int r = 0; r < table.rows().size(); r++)
            {
                final String name = String.valueOf(table.value(r, "name"));
                final Deque<Sample> samples = queues.getOrDefault(name, new ArrayDeque<>());
                samples.addLast(new Sample(nowMs, number(table.value(r, "added")),
                    number(table.value(r, "acknowledged")), number(table.value(r, "messages"))));
                while (samples.size() > SAMPLES)
                {
                    samples.removeFirst();
                }
                seen.put(name, samples);
            }
            queues.clear();
            queues.putAll(seen);
        }
    }

    private static long number(final Object value)
    {
        return value instanceof Number number ? number.longValue() : 0;
    }

    /**
     * @return the queue's rates between successive samples, oldest first; empty before two samples.
     */
    List<Rate> rates(final String queue)
    {
        final List<Sample> samples;
        synchronized (queues)
        {
            samples = new ArrayList<>(queues.getOrDefault(queue, new ArrayDeque<>()));
        }
        final List<Rate> rates = new ArrayList<>();
        for (int i = 1; i < samples.size(); i++)
        {
            final Sample before = samples.get(i - 1);
            final Sample after = samples.get(i);
            final double seconds = Math.max(1, after.atMs() - before.atMs()) / 1000.0;
            // a counter that went down was reset (the queue was deleted and made again): no rate for that step
            rates.add(new Rate(after.atMs(), Math.max(0, after.added() - before.added()) / seconds,
                Math.max(0, after.acknowledged() - before.acknowledged()) / seconds));
        }
        return rates;
    }
}
