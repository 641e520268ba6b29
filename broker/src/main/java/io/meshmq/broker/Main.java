package io.meshmq.broker;

import io.meshmq.broker.cli.AdminCommand;
import io.meshmq.broker.cli.BrowseCommand;
import io.meshmq.broker.cli.ConsumeCommand;
import io.meshmq.broker.cli.HashPasswordCommand;
import io.meshmq.broker.cli.ProduceCommand;
import io.meshmq.broker.cli.RunCommand;
import io.meshmq.broker.cli.StatCommand;
import io.meshmq.broker.cli.UsageException;
import io.meshmq.broker.config.ConfigException;
import io.meshmq.engine.BrokerStartException;
import io.meshmq.jms.MeshConnectionMetaData;
import jakarta.jms.JMSException;

import java.io.PrintStream;

/**
 * {@code ./meshmq VERB ...}: the broker and its command-line tools.
 */
public final class Main
{
    private Main()
    {
    }

    public static void main(final String[] args)
    {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null)
        {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        }
        System.exit(run(args, System.out, System.err));
    }

    /**
     * @return the process exit code: 0 done, 1 failed, 2 bad usage or configuration.
     */
    public static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        if (args.length == 0 || "help".equals(args[0]) || "--help".equals(args[0]) || "-h".equals(args[0]))
        {
            usage(args.length == 0 ? err : out);
            return args.length == 0 ? 2 : 0;
        }
        try
        {
            switch (args[0])
            {
                case "run":
                    return RunCommand.run(args, out);
                case "produce":
                    return ProduceCommand.run(args, out);
                case "consume":
                    return ConsumeCommand.run(args, out);
                case "queue":
                case "topic":
                case "subscription":
                case "xa":
                case "cluster":
                case "bridge":
                case "connection":
                    return AdminCommand.run(args, out);
                case "browse":
                    return BrowseCommand.run(args, out);
                case "stat":
                    return StatCommand.run(args, out);
                case "hash-password":
                    return HashPasswordCommand.run(args, System.in, out);
                case "version":
                case "--version":
                    out.println(MeshConnectionMetaData.PROVIDER_NAME + " " + MeshConnectionMetaData.PROVIDER_VERSION);
                    return 0;
                default:
                    err.println("meshmq: unknown command '" + args[0] + "'");
                    usage(err);
                    return 2;
            }
        }
        catch (final UsageException | ConfigException ex)
        {
            err.println("meshmq: " + ex.getMessage());
            return 2;
        }
        catch (final BrokerStartException ex)
        {
            err.println("meshmq: broker did not start: " + ex.getMessage());
            return 1;
        }
        catch (final JMSException ex)
        {
            err.println("meshmq: " + args[0] + " failed: " + ex.getMessage());
            return 1;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static void usage(final PrintStream out)
    {
        out.println("usage: meshmq COMMAND [FLAGS]");
        out.println("  " + RunCommand.USAGE);
        out.println("  " + ProduceCommand.USAGE);
        out.println("  " + ConsumeCommand.USAGE);
        out.println("  " + AdminCommand.QUEUE_USAGE);
        out.println("  " + AdminCommand.TOPIC_USAGE);
        out.println("  " + AdminCommand.SUBSCRIPTION_USAGE);
        out.println("  " + AdminCommand.XA_USAGE);
        out.println("  " + AdminCommand.CLUSTER_USAGE);
        out.println("  " + AdminCommand.BRIDGE_USAGE);
        out.println("  " + AdminCommand.CONNECTION_USAGE);
        out.println("  " + BrowseCommand.USAGE);
        out.println("  " + StatCommand.USAGE);
        out.println("  " + HashPasswordCommand.USAGE);
        out.println("  version");
        out.println("Defaults: --bind 127.0.0.1:7918 --data ./data --url tcp://127.0.0.1:7918");
    }
}
