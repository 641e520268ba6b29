package io.meshmq.broker.config;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.meshmq.engine.BrokerContext;

import java.util.ArrayList;
import java.util.List;

/**
 * Any configuration file is applied or refused with a {@link ConfigException} naming the line (issue 16, fuzzing):
 * never another exception, which would stop start-up with a stack trace instead of a message. Lines are made half of
 * known keys with fuzzed values and half of fuzzed text, so the fuzzer reaches every key's parser.
 */
class ConfigFuzzTest
{
    private static final List<String> KEYS = List.of("name", "bind", "io-threads", "ring-size", "max-frame-length",
        "handshake-timeout", "duplicate-id-cache-size", "max-connections", "max-connections-per-address", "auto-create",
        "queues", "topics", "default-user", "user.a", "user.a.roles", "user.a.certificate-subject", "security.q.send",
        "security.q*.manage", "address.q.max-delivery-attempts", "address.*.address-full-policy", "journal.sync",
        "journal.segment-size", "journal.skip-corrupt", "global-max-size", "cluster", "cluster.members",
        "cluster.advertise", "cluster.user", "cluster.password", "cluster.tls", "tls", "tls.keystore",
        "tls.keystore-password", "tls.client-auth", "acceptor.x.bind", "acceptor.x.tls");

    @FuzzTest(maxDuration = "15s")
    void applyAnyConfiguration(final FuzzedDataProvider data)
    {
        final List<String> lines = new ArrayList<>();
        while (data.remainingBytes() > 0 && lines.size() < 50)
        {
            lines.add(data.consumeBoolean() ?
                KEYS.get(data.consumeInt(0, KEYS.size() - 1)) + " = " + data.consumeString(100) : data.consumeString(200));
        }
        try
        {
            BrokerSettings.applyLines("fuzz.conf", lines, new BrokerContext());
        }
        catch (final ConfigException refused)
        {
            // start-up stops with the file, line and key named
        }
    }
}
